import { Logger } from '@aws-lambda-powertools/logger';

/** Service name and level come from POWERTOOLS_SERVICE_NAME / POWERTOOLS_LOG_LEVEL (set by the stack). */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'marketplace' });
