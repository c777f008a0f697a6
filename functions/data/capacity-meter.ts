import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface CapacityReading {
  calls: number;
  readUnits: number;
  writeUnits: number;
  operations: string[];
}

/**
 * Counts DynamoDB round trips and the capacity they consumed (ReturnConsumedCapacity: TOTAL).
 * Off unless a benchmark or test enables it, so production requests pay nothing for it.
 */
class CapacityMeter {
  private enabled = process.env.DYNAMODB_METER === '1';
  private reading: CapacityReading = CapacityMeter.empty();

  private static empty(): CapacityReading {
    return { calls: 0, readUnits: 0, writeUnits: 0, operations: [] };
  }

  enable(): void {
    this.enabled = true;
  }

  /** Returns what was measured since the last reset and starts a new reading. */
  reset(): CapacityReading {
    const reading = this.reading;
    this.reading = CapacityMeter.empty();
    return reading;
  }

  attach(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (!this.enabled) return next(args);
        const input = args.input as Record<string, unknown>;
        input.ReturnConsumedCapacity = 'TOTAL';
        const result = await next(args);
        this.record(context.commandName ?? 'unknown', result.output as { ConsumedCapacity?: unknown });
        return result;
      },
      { step: 'initialize', name: 'capacityMeter' },
    );
  }

  private record(operation: string, output: { ConsumedCapacity?: unknown }): void {
    this.reading.calls += 1;
    this.reading.operations.push(operation.replace(/Command$/, ''));
    const consumed = output.ConsumedCapacity;
    const entries = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as Array<{
      ReadCapacityUnits?: number; WriteCapacityUnits?: number; CapacityUnits?: number;
    }>;
    for (const entry of entries) {
      const isWrite = /Put|Update|Delete|Write/.test(operation);
      const units = entry.CapacityUnits ?? 0;
      this.reading.readUnits += entry.ReadCapacityUnits ?? (isWrite ? 0 : units);
      this.reading.writeUnits += entry.WriteCapacityUnits ?? (isWrite ? units : 0);
    }
  }
}

export const capacityMeter = new CapacityMeter();
