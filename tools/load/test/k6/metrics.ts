// k6/metrics' Trend for the script-logic test: keeps what the script adds, by metric name.

export const recorded: Record<string, number[]> = {};

export class Trend {
  constructor(readonly name: string) {}

  add(value: number): void {
    (recorded[this.name] ??= []).push(value);
  }
}
