/**
 * The local AppSync Events in a process of its own, as AppSync is a service of its own: the fan-out to thousands
 * of subscribers does not run on the event loop that serves the API. The gateway hands it each WebSocket upgrade
 * (the socket itself, over IPC) and each publish (local/feed-service.ts).
 */
import type { Socket } from 'node:net';
import { createFeedHub, type FeedHub } from './feed-hub.js';
import { createVerifier } from './jwt-issuer.js';
import type { FeedProcessReply, FeedProcessRequest } from './feed-service.js';

let hub: FeedHub | undefined;
const reply = (message: FeedProcessReply) => process.send?.(message);

process.on('message', (message: FeedProcessRequest, handle: unknown) => {
  void (async () => {
    switch (message.type) {
      case 'start':
        hub = createFeedHub(await createVerifier(message.verifier));
        return reply({ type: 'started' });
      case 'upgrade': {
        const socket = handle as Socket | undefined;
        if (!socket) return;
        if (!hub) return void socket.destroy();
        if (message.head) socket.unshift(Buffer.from(message.head, 'base64'));
        return hub.upgrade({ headers: message.headers, url: message.url }, socket);
      }
      case 'publish':
        return reply({ type: 'published', id: message.id, answer: hub!.publish(message.authorization, Buffer.from(message.body, 'base64')) });
      case 'connections':
        return reply({ type: 'connections', id: message.id, count: hub?.connections() ?? 0 });
      case 'disconnectAll':
        hub?.disconnectAll();
        return reply({ type: 'disconnected', id: message.id });
    }
  })();
});
process.on('disconnect', () => {
  hub?.close();
  process.exit(0);
});
