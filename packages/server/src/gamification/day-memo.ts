/**
 * Keys remembered for one local day, for facts that hold until the day ends (a full daily cap,
 * an active day already recorded): forgotten when the day changes, or all at once past `max`
 * keys, so memory stays bounded. A cache only: forgetting costs a query, never a wrong answer.
 */
export class DayMemo {
  private day = '';
  private readonly keys = new Set<string>();

  constructor(private readonly max = 200_000) {}

  has(day: string, key: string): boolean {
    this.turn(day);
    return this.keys.has(key);
  }

  add(day: string, key: string): void {
    this.turn(day);
    if (this.keys.size >= this.max) this.keys.clear();
    this.keys.add(key);
  }

  clear(): void {
    this.keys.clear();
  }

  private turn(day: string): void {
    if (day === this.day) return;
    this.keys.clear();
    this.day = day;
  }
}
