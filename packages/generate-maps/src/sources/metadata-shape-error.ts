// A metadata answer that is valid JSON but not the shape the model needs (e.g. containers not a list of objects).
export class MetadataShapeError extends Error {
  override readonly name = "MetadataShapeError";
  readonly kind = "wrong-shape";
  constructor(
    readonly url: string,
    message: string,
  ) {
    super(`${url}: ${message}`);
  }
}
