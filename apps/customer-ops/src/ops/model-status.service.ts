import { Injectable } from '@nestjs/common';
import { ModelStatusDto } from './dto/model-status.dto';

/** The lead-enrichment model currently serving captures. Rule-based: always loaded. */
export const ENRICHMENT_MODEL = { model: 'lead-enrichment-rules', version: '1.0.0' } as const;

@Injectable()
export class ModelStatusService {
  status(tenant: string): ModelStatusDto {
    return { loaded: true, ...ENRICHMENT_MODEL, tenant };
  }
}
