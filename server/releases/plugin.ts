/**
 * Serves the release folders to stations: GET /releases/<channel>/<file>. Standalone Fastify plugin;
 * the reference server registers it when it is given a releases folder.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { CHANNELS, FEED_FILE, SERVABLE_FILE } from './feed.ts';

export interface ReleasesPluginOptions {
  /** The folder holding one sub-folder per channel (see feed.ts). */
  root: string;
  /** URL prefix; default /releases. */
  prefix?: string;
}

export const releasesPlugin: FastifyPluginAsync<ReleasesPluginOptions> = async (app, options) => {
  const prefix = (options.prefix ?? '/releases').replace(/\/+$/, '');
  app.route<{ Params: { channel: string; file: string } }>({
    method: ['GET', 'HEAD'],
    url: `${prefix}/:channel/:file`,
    async handler(req, reply) {
      const { channel, file } = req.params;
      if (!(CHANNELS as readonly string[]).includes(channel) || !SERVABLE_FILE.test(file) || file.endsWith('.tmp')) {
        return reply.code(404).send({ error: 'not_found', message: 'no such release file' });
      }
      const path = join(options.root, channel, file);
      const st = await stat(path).catch(() => null);
      if (!st?.isFile()) {
        // Stations poll this every few hours; a missing feed is normal before the first publish.
        return reply.code(404).send({ error: 'not_found', message: `no ${file} in channel ${channel}` });
      }
      const isFeed = FEED_FILE.test(file);
      const isSignature = file.endsWith('.sig') && FEED_FILE.test(file.slice(0, -4));
      reply
        .header('content-type', isFeed ? 'text/yaml; charset=utf-8' : isSignature ? 'text/plain; charset=utf-8' : 'application/octet-stream')
        .header('content-length', String(st.size))
        // The feed and its signature change in place; an installer's name carries its version and never changes.
        .header('cache-control', isFeed || isSignature ? 'no-cache' : 'public, max-age=86400');
      if (req.method === 'HEAD') return reply.send();
      return reply.send(createReadStream(path));
    },
  });
};
