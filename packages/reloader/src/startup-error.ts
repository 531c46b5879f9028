// A reason the reloader cannot start (bad certificate, unreadable config...): one clear message.
export class StartupError extends Error {
  override readonly name = "StartupError";
  /** 2: the configuration given is unusable; 1: the environment failed */
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 2,
    /** the event of the fatal log line */
    readonly event = "reloader.start-failed",
  ) {
    super(message);
  }
}
