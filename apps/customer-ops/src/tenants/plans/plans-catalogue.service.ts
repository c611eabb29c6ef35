import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { AppConfig } from '@app/config';
import { PINO_LOGGER } from '@app/http';
import type { PlanLimits } from '../../rate-limit/limits';
import type { ReloadStep } from '../../auth/reload-steps';
import { DEFAULT_PLAN, PlansFileInvalid } from '../tenants.errors';
import { builtInDefaultPlan, parsePlansFile, PlansFileError } from './plans-file';

/**
 * The named plans: the built-in `default` (RATE_LIMIT_OPS / RATE_LIMIT_DEFAULT) plus those of
 * PLANS_FILE. A malformed file stops start-up; on reload it is refused and the previous plans stay.
 */
@Injectable()
export class PlansCatalogue implements OnModuleInit, ReloadStep {
  readonly name = 'plans';
  private readonly builtIn: PlanLimits;
  private plans: Map<string, PlanLimits>;
  private readonly listeners: Array<() => void> = [];

  constructor(
    private readonly config: AppConfig,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {
    this.builtIn = builtInDefaultPlan(config.rateLimit.ops, config.rateLimit.default);
    this.plans = new Map([[DEFAULT_PLAN, this.builtIn]]);
  }

  async onModuleInit(): Promise<void> {
    this.plans = await this.read(true);
    this.logger.info({ plans: this.plans.size, plansFile: this.config.plansFile }, 'plans loaded');
  }

  get(name: string): PlanLimits | undefined {
    return this.plans.get(name);
  }

  /** The plan a tenant on `name` gets: the default one when the plan has gone from the file. */
  resolve(name: string): PlanLimits {
    return this.plans.get(name) ?? this.plans.get(DEFAULT_PLAN) ?? this.builtIn;
  }

  has(name: string): boolean {
    return this.plans.has(name);
  }

  get size(): number {
    return this.plans.size;
  }

  /** Called after every change of the plans in force. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  async prepare(): Promise<{ count: number; commit: () => void }> {
    const plans = await this.read(false);
    return {
      count: plans.size,
      commit: () => {
        this.plans = plans;
        this.listeners.forEach((listener) => listener());
      },
    };
  }

  private async read(atStartup: boolean): Promise<Map<string, PlanLimits>> {
    const path = this.config.plansFile;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
      if (code === 'ENOENT') return new Map([[DEFAULT_PLAN, this.builtIn]]);
      throw new PlansFileInvalid(path, `cannot be read (${code})`, atStartup);
    }
    try {
      return parsePlansFile(text, this.builtIn);
    } catch (error) {
      if (error instanceof PlansFileError) throw new PlansFileInvalid(path, error.message, atStartup);
      throw error;
    }
  }
}
