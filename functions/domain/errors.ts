/**
 * Typed errors: each carries the HTTP status and the machine-readable code clients see in
 * `{ "error": { "code", "message", "details"? } }`. Anything else that escapes a handler is a 500
 * whose message never reaches the client.
 */
export class DomainError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  constructor(message: string, details?: unknown, code = 'VALIDATION_FAILED') {
    super(400, code, message, details);
  }
}

export class InvalidCursorError extends DomainError {
  constructor() {
    super(400, 'INVALID_CURSOR', 'The cursor is not one this list handed out');
  }
}

export class UnauthorizedError extends DomainError {
  constructor(message = 'A valid bearer token is required') {
    super(401, 'UNAUTHORIZED', message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(code: string, message: string) {
    super(403, code, message);
  }
}

export class NotFoundError extends DomainError {
  constructor(code: string, message: string) {
    super(404, code, message);
  }
}

export class ConflictError extends DomainError {
  constructor(code: string, message: string, details?: unknown) {
    super(409, code, message, details);
  }
}

export class ServiceUnavailableError extends DomainError {
  constructor(code = 'SERVICE_UNAVAILABLE', message = 'The service is briefly unavailable; retry shortly') {
    super(503, code, message);
  }
}
