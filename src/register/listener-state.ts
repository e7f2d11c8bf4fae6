/**
 * State a protocol keeps per listener, shared by all the listener's connections (registers often open a new
 * connection per operation). It lives in an object its owner holds — the service's `RegisterState`, or a protocol
 * made for one listener — never in a module: each service (each test's too) has its own.
 */
export class ListenerStates<T> {
  private readonly byListener = new Map<string, T>();

  /** `create` makes a listener's state the first time it is asked for. */
  constructor(private readonly create: () => T) {}

  /** The state of one listener. */
  of(listener: string): T {
    let s = this.byListener.get(listener);
    if (s === undefined) {
      s = this.create();
      this.byListener.set(listener, s);
    }
    return s;
  }
}
