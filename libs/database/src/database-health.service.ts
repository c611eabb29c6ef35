import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export type ProbeState = 'up' | 'down';

const PING_TIMEOUT_MS = 1500;

/** Answers "does the database answer a trivial query right now?" without ever hanging. */
@Injectable()
export class DatabaseHealth {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async ping(): Promise<ProbeState> {
    if (!this.dataSource.isInitialized) return 'down';
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<ProbeState>((resolve) => {
      timer = setTimeout(() => resolve('down'), PING_TIMEOUT_MS);
    });
    const query = this.dataSource.query('SELECT 1').then(
      (): ProbeState => 'up',
      (): ProbeState => 'down',
    );
    try {
      return await Promise.race([query, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
