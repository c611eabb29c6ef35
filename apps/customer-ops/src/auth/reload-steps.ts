import { Injectable } from '@nestjs/common';
import { KeyRegistry, RegistrySummary, ReloadOptions, ReloadScope } from './key-registry.service';

/** What a reload loaded: keys and tenants, plus `{ <step name>: count }` for a full reload. */
export interface ReloadSummary extends RegistrySummary {
  steps: Record<string, number>;
}

/**
 * Something else a full auth reload re-reads (the tenants feature registers its plans). A
 * step first prepares (reads and validates, and may throw a 4xx); only when every step and
 * the key registry succeeded are the prepared values committed.
 */
export interface ReloadStep {
  readonly name: string;
  prepare(): Promise<{ count: number; commit: () => void }>;
}

/**
 * Reloads this instance: the key registry, plus for a full reload every registered step,
 * committed only when all of them loaded. Used for admin reloads and fleet-wide ones alike.
 */
@Injectable()
export class AuthReloader {
  private readonly steps: ReloadStep[] = [];

  constructor(private readonly registry: KeyRegistry) {}

  register(step: ReloadStep): void {
    this.steps.push(step);
  }

  async reload(scope: ReloadScope, options: ReloadOptions = {}): Promise<ReloadSummary> {
    if (scope === 'db') return { ...(await this.registry.reload('db')), steps: {} };
    const prepared = await Promise.all(
      this.steps.map(async (step) => ({ name: step.name, ...(await step.prepare()) })),
    );
    const summary = await this.registry.reload('all', options);
    prepared.forEach((step) => step.commit());
    return { ...summary, steps: Object.fromEntries(prepared.map((step) => [step.name, step.count])) };
  }
}
