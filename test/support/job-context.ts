import { randomUUID } from 'node:crypto';
import { lambdaContext } from '../../local/handler-loader.js';

/** What a scheduled job's handler is invoked with: an EventBridge event (unused) and a Lambda context. */
export const jobInvocation = (functionName: string) => [{}, lambdaContext(functionName, randomUUID())] as const;
