import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { ReplyWriter } from '@app/http';
import { ApiDatabaseUnavailableResponse, ApiKeyAuth, CurrentTenant } from '@app/http';
import { RateLimitFamily } from '../rate-limit/rate-limit.decorators';
import { CaptureLeadDto } from './dto/capture-lead.dto';
import { LeadIdParams, ListLeadsQuery, ListOutcomesQuery, SearchLeadsQuery } from './dto/lead-queries.dto';
import {
  LeadDetailDto,
  LeadDto,
  LeadPageDto,
  OutcomeAnalyticsDto,
  OutcomePageDto,
  SearchResultsDto,
} from './dto/lead.dto';
import { OutcomeRecordedDto, RecordOutcomeDto } from './dto/record-outcome.dto';
import { LeadSearchService } from './lead-search.service';
import { LeadsService } from './leads.service';
import { OutcomesService } from './outcomes.service';

@ApiTags('leads')
@Controller('v1')
@ApiKeyAuth()
@ApiDatabaseUnavailableResponse()
@RateLimitFamily('default')
export class LeadsController {
  constructor(
    private readonly leads: LeadsService,
    private readonly search: LeadSearchService,
    private readonly outcomes: OutcomesService,
  ) {}

  @Post('leads')
  @RateLimitFamily('default', { leadCapture: true })
  @ApiOperation({ operationId: 'captureLead', summary: 'Capture a lead: validated, enriched and stored' })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: '1-255 characters; repeats return the first response for 24 h',
  })
  @ApiCreatedResponse({ type: LeadDto, description: 'Stored lead (Idempotent-Replayed: true on a repeat)' })
  @ApiBadRequestResponse({ description: 'Validation failed; details per field' })
  @ApiConflictResponse({ description: 'The same Idempotency-Key is still being processed' })
  @ApiUnprocessableEntityResponse({ description: 'Idempotency-Key reused with a different body' })
  async capture(
    @CurrentTenant() tenant: string,
    @Body() body: CaptureLeadDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: ReplyWriter,
  ): Promise<LeadDto> {
    const result = await this.leads.capture(tenant, body, idempotencyKey);
    res.status(result.status);
    if (result.replayed) res.header('Idempotent-Replayed', 'true');
    return result.body;
  }

  @Get('leads')
  @ApiOperation({ operationId: 'listLeads', summary: "List the tenant's leads, newest first, with cursor pagination" })
  @ApiOkResponse({ type: LeadPageDto })
  list(@CurrentTenant() tenant: string, @Query() query: ListLeadsQuery): Promise<LeadPageDto> {
    return this.leads.list(tenant, query);
  }

  @Get('leads/search')
  @ApiOperation({ operationId: 'searchLeads', summary: 'Search name, company and details; ranked by term hits' })
  @ApiOkResponse({ type: SearchResultsDto })
  searchLeads(@CurrentTenant() tenant: string, @Query() query: SearchLeadsQuery): Promise<SearchResultsDto> {
    return this.search.search(tenant, query);
  }

  @Get('leads/:id')
  @ApiOperation({
    operationId: 'getLead',
    summary: 'One lead with its latest 50 outcomes (outcomesTruncated: true when there are more)',
  })
  @ApiOkResponse({ type: LeadDetailDto })
  @ApiNotFoundResponse({ description: 'No such lead for this tenant' })
  get(@CurrentTenant() tenant: string, @Param() params: LeadIdParams): Promise<LeadDetailDto> {
    return this.leads.get(tenant, params.id);
  }

  @Get('leads/:id/outcomes')
  @ApiOperation({
    operationId: 'listOutcomes',
    summary: "A lead's whole outcome history, newest first, with cursor pagination",
  })
  @ApiOkResponse({ type: OutcomePageDto })
  @ApiNotFoundResponse({ description: 'No such lead for this tenant' })
  @ApiBadRequestResponse({ description: 'Invalid limit or cursor' })
  outcomeHistory(
    @CurrentTenant() tenant: string,
    @Param() params: LeadIdParams,
    @Query() query: ListOutcomesQuery,
  ): Promise<OutcomePageDto> {
    return this.outcomes.history(tenant, params.id, query);
  }

  @Post('leads/:id/outcome')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'recordOutcome',
    summary: 'Record what became of a lead; the history keeps every recording',
  })
  @ApiOkResponse({ type: OutcomeRecordedDto })
  @ApiNotFoundResponse({ description: 'No such lead for this tenant' })
  @ApiBadRequestResponse({ description: 'Invalid outcome (the allowed values are listed)' })
  recordOutcome(
    @CurrentTenant() tenant: string,
    @Param() params: LeadIdParams,
    @Body() body: RecordOutcomeDto,
  ): Promise<OutcomeRecordedDto> {
    return this.outcomes.record(tenant, params.id, body);
  }

  @Get('analytics/outcomes')
  @ApiOperation({
    operationId: 'getOutcomeAnalytics',
    summary: "Outcome breakdown and conversion for the caller's tenant",
  })
  @ApiOkResponse({ type: OutcomeAnalyticsDto })
  analytics(@CurrentTenant() tenant: string): Promise<OutcomeAnalyticsDto> {
    return this.outcomes.analytics(tenant);
  }
}
