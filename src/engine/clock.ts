/**
 * The virtual clock: the only source of time. `real` mode runs at wall time × speed; `manual` mode moves only
 * when told. Everything that becomes due (job completions, pair transitions, waiting requests) is a TimerSource
 * or an in-memory timer; the clock fires them in time order, setting `now()` to each event's own due time while
 * it runs, so chains of events (COPY → PAIR → next) land at exact virtual instants whatever the step size.
 */

export interface TimerSource {
  /** Earliest due instant (virtual ms) or null. Called often: keep it cheap. */
  nextDue(): number | null;
  /** Fire everything due at exactly `at` (the clock's now() equals `at` during the call). */
  fire(at: number): void;
}

export type ClockMode = 'real' | 'manual';

interface MemTimer { at: number; seq: number; fn: () => void; cancelled: boolean }

export interface ClockState { mode: ClockMode; speed: number; now: number }

export class VirtualClock {
  private mode: ClockMode;
  private speed: number;
  /** virtual = baseVirtual + (wall - baseWall) × speed in real mode; baseVirtual in manual mode. */
  private baseVirtual: number;
  private baseWall: number;
  private eventTime: number | null = null;
  private sources: TimerSource[] = [];
  private timers: MemTimer[] = [];
  private seq = 0;
  private wallTimer: NodeJS.Timeout | null = null;
  private running = false;
  private stopped = false;
  private readonly wallNow: () => number;
  private listeners: Array<() => void> = [];

  constructor(opts: { mode?: ClockMode; speed?: number; start?: number; wallNow?: () => number } = {}) {
    this.wallNow = opts.wallNow ?? Date.now;
    this.mode = opts.mode ?? 'real';
    this.speed = opts.speed ?? 1;
    this.baseWall = this.wallNow();
    this.baseVirtual = opts.start ?? this.baseWall;
  }

  now(): number {
    if (this.eventTime !== null) return this.eventTime;
    return this.rawNow();
  }

  private rawNow(): number {
    if (this.mode === 'manual') return this.baseVirtual;
    return Math.floor(this.baseVirtual + (this.wallNow() - this.baseWall) * this.speed);
  }

  state(): ClockState {
    return { mode: this.mode, speed: this.speed, now: this.rawNow() };
  }

  addSource(source: TimerSource): void {
    this.sources.push(source);
    this.armWallTimer();
  }

  /** Called whenever something (re)computes a deadline, so real mode re-arms its wall timer. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Schedules an in-memory callback at a virtual instant (not persisted: waiting requests, fault latency). */
  at(at: number, fn: () => void): () => void {
    const t: MemTimer = { at, seq: this.seq++, fn, cancelled: false };
    this.timers.push(t);
    this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    this.armWallTimer();
    return () => { t.cancelled = true; };
  }

  /** Fires everything due up to the current virtual time, in time order. Cheap when nothing is due. */
  runDue(): void {
    this.runUntil(this.rawNow());
  }

  /** Moves a manual clock forward (or a real clock, by shifting its base) and fires what falls due. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError('advance must be a non-negative number of milliseconds');
    const target = this.rawNow() + ms;
    this.runUntil(target);
    this.rebase(target);
    this.armWallTimer();
  }

  /** Sets the virtual time; forward moves fire what falls due, backward moves only re-base. */
  setTime(ms: number): void {
    if (ms > this.rawNow()) this.runUntil(ms);
    this.rebase(ms);
    this.armWallTimer();
  }

  setMode(mode: ClockMode): void {
    const now = this.rawNow();
    this.mode = mode;
    this.rebase(now);
    this.armWallTimer();
  }

  setSpeed(speed: number): void {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError('speed must be a positive number');
    const now = this.rawNow();
    this.speed = speed;
    this.rebase(now);
    this.armWallTimer();
  }

  /** Re-arms the real-mode wall timer after a deadline changed. */
  poke(): void {
    this.armWallTimer();
  }

  stop(): void {
    this.stopped = true;
    if (this.wallTimer) clearTimeout(this.wallTimer);
    this.wallTimer = null;
  }

  private rebase(virtual: number): void {
    this.baseVirtual = virtual;
    this.baseWall = this.wallNow();
  }

  private nextDue(): number | null {
    let best: number | null = null;
    for (const s of this.sources) {
      const d = s.nextDue();
      if (d !== null && (best === null || d < best)) best = d;
    }
    while (this.timers.length && this.timers[0]!.cancelled) this.timers.shift();
    const t = this.timers[0];
    if (t && (best === null || t.at < best)) best = t.at;
    return best;
  }

  private runUntil(target: number): void {
    if (this.running) return; // re-entrant calls (a fired event reading the clock) see the event time
    this.running = true;
    try {
      for (let guard = 0; guard < 1_000_000; guard++) {
        const due = this.nextDue();
        if (due === null || due > target) break;
        this.eventTime = Math.max(due, this.eventTime ?? due);
        const at = this.eventTime;
        const timer = this.timers[0];
        if (timer && !timer.cancelled && timer.at <= due) {
          this.timers.shift();
          timer.fn();
        } else {
          for (const s of this.sources) {
            const d = s.nextDue();
            if (d !== null && d <= at) { s.fire(at); break; }
          }
        }
      }
    } finally {
      this.eventTime = null;
      this.running = false;
    }
    for (const l of this.listeners) l();
  }

  private armWallTimer(): void {
    if (this.wallTimer) { clearTimeout(this.wallTimer); this.wallTimer = null; }
    if (this.stopped || this.mode !== 'real') return;
    const due = this.nextDue();
    if (due === null) return;
    const wait = Math.max(0, Math.min(2 ** 31 - 1, Math.ceil((due - this.rawNow()) / this.speed)));
    this.wallTimer = setTimeout(() => {
      this.wallTimer = null;
      this.runDue();
      this.armWallTimer();
    }, wait);
  }
}
