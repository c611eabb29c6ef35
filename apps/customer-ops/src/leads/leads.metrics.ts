import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram } from 'prom-client';
import { PINO_LOGGER } from '@app/http';
import { defineCounter, defineGauge, defineHistogram, InjectMetric } from '@app/metrics';
import { EnrichmentDto } from './dto/lead.dto';
import { LeadsRepository } from './leads.repository';

export const LEAD_ENRICH_TOTAL = defineCounter({
  name: 'lead_enrich_total',
  help: 'Leads enriched at capture, by intent, urgency and sentiment',
  labelNames: ['intent', 'urgency', 'sentiment'] as const,
});

export const LEAD_ENRICH_SCORE = defineHistogram({
  name: 'lead_enrich_score',
  help: 'Enrichment score of captured leads',
  buckets: [0, 0.25, 0.5, 0.75, 0.9, 0.95, 1],
});

export const LEAD_OUTCOME_TOTAL = defineCounter({
  name: 'lead_outcome_total',
  help: 'Lead outcomes recorded, by outcome (every recording, including changes)',
  labelNames: ['outcome'] as const,
});

export const LEAD_CONVERSION_RATE = defineGauge({
  name: 'lead_conversion_rate',
  help: 'Leads whose latest outcome is booked, divided by leads with any outcome (all tenants, from the database)',
});

export const LEADS_METRIC_PROVIDERS = [
  LEAD_ENRICH_TOTAL.provider,
  LEAD_ENRICH_SCORE.provider,
  LEAD_OUTCOME_TOTAL.provider,
  LEAD_CONVERSION_RATE.provider,
];

export const CONVERSION_REFRESH_MS = 30_000;

/**
 * Updates the lead metrics. The conversion rate is read from the database, so it survives
 * restarts: at start-up and then every CONVERSION_REFRESH_MS.
 */
@Injectable()
export class LeadsMetrics implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly repository: LeadsRepository,
    @InjectMetric(LEAD_ENRICH_TOTAL) private readonly enriched: Counter<'intent' | 'urgency' | 'sentiment'>,
    @InjectMetric(LEAD_ENRICH_SCORE) private readonly scores: Histogram,
    @InjectMetric(LEAD_OUTCOME_TOTAL) private readonly outcomes: Counter<'outcome'>,
    @InjectMetric(LEAD_CONVERSION_RATE) private readonly conversionRate: Gauge,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.refreshConversionRate();
    // Other instances record outcomes too: re-read periodically.
    this.timer = setInterval(() => void this.refreshConversionRate(), CONVERSION_REFRESH_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  enrichment(enrichment: EnrichmentDto): void {
    const { intent, urgency, sentiment, score } = enrichment;
    this.enriched.inc({ intent, urgency, sentiment });
    this.scores.observe(score);
  }

  /**
   * Counts one outcome recording. The conversion rate is not refreshed here: it aggregates every
   * tenant's leads, too costly for each request; the timer keeps it at most CONVERSION_REFRESH_MS old.
   */
  outcome(outcome: string): void {
    this.outcomes.inc({ outcome });
  }

  async refreshConversionRate(): Promise<void> {
    try {
      const { booked, withOutcome } = await this.repository.conversionTotals();
      this.conversionRate.set(withOutcome === 0 ? 0 : booked / withOutcome);
    } catch (error) {
      this.logger.warn({ err: error }, 'lead_conversion_rate refresh failed');
    }
  }
}
