import { items } from '../data/items.js';
import { putUserActivities } from '../data/user-activity-repository.js';

type ActivityImage = Parameters<typeof items.userActivities>[0];

/**
 * Copies new activities (stream images of activity items) into the feeds of the users they concern: the
 * stream aggregator runs it per batch. The copies are idempotent puts, so a retried batch changes nothing.
 */
export async function copyToParticipants(images: ReadonlyArray<Record<string, unknown>>): Promise<void> {
  const unique = new Map(images.map((image) => [image.activityId as string, image as unknown as ActivityImage]));
  await putUserActivities([...unique.values()].flatMap(items.userActivities));
}
