import { Injectable } from '@nestjs/common';

/** Whether the process is draining; readiness turns 503 as soon as it is, so load balancers move on. */
@Injectable()
export class Lifecycle {
  private draining = false;

  get shuttingDown(): boolean {
    return this.draining;
  }

  beginShutdown(): void {
    this.draining = true;
  }
}
