// The default certificate HAProxy loads, described unchecked for status, /config and the expiry metric
// when no checked default was accepted (HAPROXY_SSL_CERT, or a refused new default that kept the previous
// one); parsed again only when it changed, since every snapshot asks for it.
import { describeLeaf } from "./model/describe-leaf.js";

// The last description, kept by the digest of the PEM it was made from.
export class LoadedDefaultLeaf {
  private described: { digest: string; leaf: ReturnType<typeof describeLeaf> } | null = null;

  // `loaded`: the default certificate's file as HAProxy loads it (undefined: there is none).
  describe(loaded: { digest: string; pem: string } | undefined): ReturnType<typeof describeLeaf> {
    if (loaded === undefined) return null;
    if (this.described?.digest !== loaded.digest)
      this.described = { digest: loaded.digest, leaf: describeLeaf(loaded.pem) };
    return this.described.leaf;
  }
}
