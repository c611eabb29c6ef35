import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { routeTableOf } from './route-template';

/**
 * Builds the route table once at start-up, after Nest has registered every route: express'
 * is read from its router here; Fastify's was filled by its onRoute hook as routes registered.
 */
@Injectable()
export class RouteTableRecorder implements OnApplicationBootstrap {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onApplicationBootstrap(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (adapter) routeTableOf(adapter.getInstance<object>(), adapter.getType());
  }
}
