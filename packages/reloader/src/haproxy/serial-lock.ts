// One HAProxy-changing operation at a time (reload, start, restart): a promise chain.

// Run tasks strictly one after another, in call order.
export class SerialLock {
  private tail: Promise<unknown> = Promise.resolve();

  // Resolve with the task's result once every earlier task has settled.
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
