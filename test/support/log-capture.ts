/** A pino destination that keeps every line in memory, so suites can assert on logs. */
export class LogCapture {
  private readonly chunks: string[] = [];

  write(chunk: string): boolean {
    this.chunks.push(chunk);
    return true;
  }

  text(): string {
    return this.chunks.join('');
  }

  lines(): Array<Record<string, unknown>> {
    return this.text()
      .split('\n')
      .filter((line) => line.trim().length > 0)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  /** Access-log lines (msg "request"). */
  accessLines(): Array<Record<string, unknown>> {
    return this.lines().filter((line) => line.msg === 'request');
  }
}
