/*
 * Fault injection: rules that make matching requests fail, hang, or break their connection.
 *
 * A rule matches on method / path / SOQL / SOAP operation (all optional; strings are regular expressions, except
 * method and soapOperation which compare exactly, case-insensitively). Among the matching requests, the `nth`
 * (1-based, default 1) and the following `times - 1` ones (default times 1; Infinity or -1 = every one from the
 * nth on) get the fault. A rule with `then` starts a second rule once it has fired: `then` applies to the requests
 * after that one (matched and counted from there), e.g. an outage that begins with a given write.
 */

export type FaultKind =
  /** An error response: `status` + `errorCode` (REST JSON error body, SOAP fault for SOAP requests). */
  | 'error'
  /** The request is carried out (a write is committed), then answered with the error: a lost response, as a gateway timeout after commit. */
  | 'error-after'
  /** The socket is destroyed before anything is sent. */
  | 'drop-before'
  /** Headers and part of the body are sent, then the socket is destroyed. */
  | 'drop-mid'
  /** Content-Length announces the whole body, part of it is sent, then the connection is ended. */
  | 'truncate'
  /** Headers and part of the body are sent, then nothing more while the connection stays open (a server hung mid-answer). */
  | 'stall'
  /** The request is answered normally after `delayMs`. */
  | 'delay'
  /** The request waits, unanswered, until the test calls `release()` on the rule's handle (or clears the faults, or stops the emulator), then is answered normally. */
  | 'hold';

export type FaultRule = {
  method?: string;
  path?: string | RegExp;
  soql?: string | RegExp;
  soapOperation?: string;
  nth?: number;
  times?: number;
  kind?: FaultKind;
  status?: number;
  errorCode?: string;
  message?: string;
  delayMs?: number;
  /** drop-mid / truncate / stall: body bytes sent before the cut (default: half the body). */
  afterBytes?: number;
  /**
   * A rule that starts once this one has fired, for the requests after that one: `{"kind":"error","status":503,
   * "times":-1}` with no matching fields is an outage of the whole org from the next request on.
   */
  then?: FaultRule;
};

export type RequestFacts = { method: string; path: string; soql?: string; soapOperation?: string };

export type ActiveFault = { rule: FaultRule; kind: FaultKind; label: string; handle: FaultHandle };

/** Default status / message per error code (status when none is given). */
const ERROR_DEFAULTS: Record<string, { status: number; message: string; soapMessage?: string }> = {
  REQUEST_LIMIT_EXCEEDED: { status: 403, message: 'TotalRequests Limit exceeded.' },
  INVALID_SESSION_ID: { status: 401, message: 'Session expired or invalid', soapMessage: 'Invalid Session ID found in SessionHeader: Illegal Session' },
  INSUFFICIENT_ACCESS: {
    status: 403,
    message: 'insufficient access rights on object id',
    soapMessage: 'use of the Metadata API requires a user with the ModifyAllData or ModifyMetadata permissions',
  },
  SERVER_UNAVAILABLE: { status: 503, message: 'Server temporarily unavailable, please try again later.' },
  UNKNOWN_EXCEPTION: { status: 500, message: 'An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-12345 (-1234567890)' },
};

export function faultError(rule: FaultRule): { status: number; errorCode: string; message: string; soapMessage: string } {
  const errorCode = rule.errorCode ?? (rule.status === 503 ? 'SERVER_UNAVAILABLE' : 'UNKNOWN_EXCEPTION');
  const defaults = ERROR_DEFAULTS[errorCode] as { status: number; message: string; soapMessage?: string } | undefined;
  const status = rule.status ?? defaults?.status ?? 500;
  const message = rule.message ?? defaults?.message ?? errorCode;
  return { status, errorCode, message, soapMessage: rule.message ?? defaults?.soapMessage ?? message };
}

const toRegExp = (p: string | RegExp): RegExp => (typeof p === 'string' ? new RegExp(p) : p);

export class FaultHandle {
  /** Matching requests seen so far. */
  public matched = 0;
  /** Requests the fault was applied to. */
  public fired = 0;
  public removed = false;
  /** Settles when release() is called: what a 'hold' fault waits for. */
  public readonly released: Promise<void>;
  private readonly pathRe?: RegExp;
  private releaseHold: () => void = () => undefined;
  private readonly soqlRe?: RegExp;

  public constructor(public readonly rule: FaultRule) {
    if (rule.path !== undefined) this.pathRe = toRegExp(rule.path);
    if (rule.soql !== undefined) this.soqlRe = toRegExp(rule.soql);
    this.released = new Promise((resolve) => {
      this.releaseHold = resolve;
    });
  }

  /** Lets the requests a 'hold' fault holds (and any later ones it catches) be answered. */
  public release(): void {
    this.releaseHold();
  }

  public matches(r: RequestFacts): boolean {
    const { method, soapOperation } = this.rule;
    if (method !== undefined && method.toUpperCase() !== r.method.toUpperCase()) return false;
    if (this.pathRe && !this.pathRe.test(r.path)) return false;
    if (this.soqlRe && (r.soql === undefined || !this.soqlRe.test(r.soql))) return false;
    if (soapOperation !== undefined && soapOperation.toLowerCase() !== r.soapOperation?.toLowerCase()) return false;
    return true;
  }

  /** Counts a matching request; true when this one gets the fault. */
  public take(): boolean {
    this.matched++;
    const nth = this.rule.nth ?? 1;
    const times = this.rule.times === undefined ? 1 : this.rule.times < 0 ? Infinity : this.rule.times;
    const fire = this.matched >= nth && this.matched < nth + times;
    if (fire) this.fired++;
    return fire;
  }

  public remove(): void {
    this.removed = true;
    this.release();
  }
}

export class FaultSet {
  private readonly handles: FaultHandle[] = [];

  public add(rule: FaultRule): FaultHandle {
    const h = new FaultHandle(rule);
    this.handles.push(h);
    return h;
  }

  public clear(): void {
    for (const h of this.handles) h.release();
    this.handles.length = 0;
  }

  /** The faults that apply to this request (every matching rule counts the request). */
  public select(r: RequestFacts): ActiveFault[] {
    const out: ActiveFault[] = [];
    const started: FaultRule[] = [];
    for (const h of this.handles) {
      if (h.removed || !h.matches(r)) continue;
      if (!h.take()) continue;
      const kind = h.rule.kind ?? 'error';
      const label = kind === 'error' ? `error:${faultError(h.rule).status}:${faultError(h.rule).errorCode}` : kind === 'delay' ? `delay:${h.rule.delayMs ?? 0}` : kind;
      out.push({ rule: h.rule, kind, label, handle: h });
      if (h.rule.then && h.fired === 1) started.push(h.rule.then);
    }
    // Added after this request was matched: a `then` rule starts with the next one.
    for (const rule of started) this.add(rule);
    return out;
  }
}

/** Parses a fault rule given as JSON (CLI / scenario): `path` and `soql` are regular-expression sources. */
export function parseFaultRule(json: string): FaultRule {
  const parsed = JSON.parse(json) as FaultRule;
  if (typeof parsed !== 'object') throw new Error(`not a fault rule: ${json}`);
  return parsed;
}
