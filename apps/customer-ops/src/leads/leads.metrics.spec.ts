import type { Logger } from 'pino';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { CONVERSION_REFRESH_MS, LeadsMetrics } from './leads.metrics';
import { LeadsRepository } from './leads.repository';

describe('LeadsMetrics: lead_conversion_rate', () => {
  let conversionTotals: jest.Mock;
  let set: jest.Mock;
  let metrics: LeadsMetrics;

  beforeEach(() => {
    jest.useFakeTimers();
    conversionTotals = jest.fn().mockResolvedValue({ booked: 1, withOutcome: 4 });
    set = jest.fn();
    metrics = new LeadsMetrics(
      { conversionTotals } as unknown as LeadsRepository,
      { inc: jest.fn() } as unknown as Counter<'intent' | 'urgency' | 'sentiment'>,
      { observe: jest.fn() } as unknown as Histogram,
      { inc: jest.fn() } as unknown as Counter<'outcome'>,
      { set } as unknown as Gauge,
      { warn: jest.fn() } as unknown as Logger,
    );
  });

  afterEach(() => {
    metrics.onApplicationShutdown();
    jest.useRealTimers();
  });

  it('is read at start-up and then on its timer only, never per outcome', async () => {
    await metrics.onApplicationBootstrap();
    expect(conversionTotals).toHaveBeenCalledTimes(1);
    expect(set).toHaveBeenLastCalledWith(0.25);

    for (const outcome of ['booked', 'ghosted', 'spam', 'booked', 'nurture', 'qualified']) metrics.outcome(outcome);
    await jest.advanceTimersByTimeAsync(CONVERSION_REFRESH_MS - 1);
    expect(conversionTotals).toHaveBeenCalledTimes(1);

    conversionTotals.mockResolvedValue({ booked: 3, withOutcome: 4 });
    await jest.advanceTimersByTimeAsync(1);
    expect(conversionTotals).toHaveBeenCalledTimes(2);
    expect(set).toHaveBeenLastCalledWith(0.75);

    metrics.onApplicationShutdown();
    await jest.advanceTimersByTimeAsync(10 * CONVERSION_REFRESH_MS);
    expect(conversionTotals).toHaveBeenCalledTimes(2);
  });
});
