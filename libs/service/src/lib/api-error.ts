import { HttpException } from '@nestjs/common';
import type { ErrorBody, ErrorCode } from '@pixel-prompt/contracts';

/** An error meant for the client: its code and message are sent as they are (see ErrorFilter). */
export class ApiError extends HttpException {
  constructor(
    status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** Fields some codes add to the body, such as `retryAfter` on RATE_LIMIT_EXCEEDED. */
    readonly extra?: Pick<ErrorBody, 'retryAfter'>,
  ) {
    super(message, status);
  }
}

/** A wait as an error message tells it to a person: seconds, minutes or hours, rounded up. */
export function humanDuration(seconds: number): string {
  if (seconds < 90) return `${seconds} seconds`;
  if (seconds < 90 * 60) return `${Math.ceil(seconds / 60)} minutes`;
  return `${Math.ceil(seconds / 3600)} hours`;
}
