// The HTTP sink: POSTs each event body to `endpoint`, one event per transaction, and decides
// by the response status whether to commit or roll back (rollback.<code>, else
// defaultRollback), whether to back off (backoff.<code>, else defaultBackoff) and whether the
// event counts as delivered (incrementMetrics.<code>, else defaultIncrementMetrics). A rule may
// name a status (`503`) or a class (`5XX`); the exact status wins.
// Unlike Flume's, a connection failure or timeout throws after the rollback, so that a failover
// or load-balancing group moves on to another sink.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Sink, SinkFactory, Status } from '../core/component.js';
import { ConfigError, need, paramBool, paramNumber, paramString, paramsUnder } from '../core/config.js';
import { EventDeliveryException, errorText } from '../core/errors.js';
import type { Event } from '../core/event.js';
import { SinkCounter } from '../core/metrics.js';

function rules(params: Record<string, unknown>, prefix: string): Map<string, boolean> {
  const m = new Map<string, boolean>();
  for (const [code, v] of paramsUnder(params as never, `${prefix}.`)) m.set(code.toUpperCase(), v === true || String(v).toLowerCase() === 'true');
  return m;
}

function decide(status: number, m: Map<string, boolean>, fallback: boolean): boolean {
  const s = String(status);
  return m.get(s) ?? m.get(`${s[0]}XX`) ?? fallback;
}

class ConnectError extends Error {}

const create: SinkFactory = (config, ctx) => {
  const p = config.params;
  const endpointText = need(paramString(p, 'endpoint'), config.name, 'endpoint');
  let endpoint: URL;
  try {
    endpoint = new URL(endpointText);
  } catch {
    throw new ConfigError(`sink \`${config.name}\`: \`${endpointText}\` is not a valid URL`);
  }
  if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') {
    throw new ConfigError(`sink \`${config.name}\`: the endpoint must be an http:// or https:// URL`);
  }
  const connectTimeout = need(paramNumber(p, 'connectTimeout'), config.name, 'connectTimeout');
  const requestTimeout = need(paramNumber(p, 'requestTimeout'), config.name, 'requestTimeout');
  const contentType = need(paramString(p, 'contentTypeHeader'), config.name, 'contentTypeHeader');
  const accept = need(paramString(p, 'acceptHeader'), config.name, 'acceptHeader');
  const defaultBackoff = paramBool(p, 'defaultBackoff') ?? true;
  const defaultRollback = paramBool(p, 'defaultRollback') ?? true;
  const defaultIncrement = paramBool(p, 'defaultIncrementMetrics') ?? false;
  const backoff = rules(p, 'backoff');
  const rollback = rules(p, 'rollback');
  const increment = rules(p, 'incrementMetrics');
  const counter = new SinkCounter(config.name);
  const send = endpoint.protocol === 'https:' ? httpsRequest : httpRequest;

  function post(body: Buffer): Promise<number> {
    return new Promise((resolve, reject) => {
      let connected = false;
      const req = send(endpoint, {
        method: 'POST',
        headers: { 'content-type': contentType, accept, 'content-length': body.length },
        agent: false,
      });
      const connectTimer = setTimeout(() => req.destroy(new ConnectError(`no connection to ${endpoint.host} within ${connectTimeout} ms`)), connectTimeout);
      req.on('socket', (s) => {
        s.once('connect', () => {
          connected = true;
          clearTimeout(connectTimer);
          counter.connectionCreated++;
        });
      });
      req.setTimeout(connectTimeout + requestTimeout, () => req.destroy(new Error(`no response within ${requestTimeout} ms`)));
      req.on('response', (res) => {
        clearTimeout(connectTimer);
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      });
      req.on('error', (e) => {
        clearTimeout(connectTimer);
        if (!connected) counter.connectionFailed++;
        reject(e);
      });
      req.end(body);
    });
  }

  const sink: Sink = {
    start() {
      ctx.metrics.register(counter);
      counter.start();
    },
    stop() {
      counter.stop();
    },
    async process(): Promise<Status> {
      const tx = ctx.channel.getTransaction();
      tx.begin();
      try {
        let event: Event | null;
        try {
          event = tx.take();
        } catch (e) {
          counter.channelReadFail++;
          throw e;
        }
        if (event === null) {
          counter.batchEmpty++;
          await tx.commit();
          return 'BACKOFF';
        }
        if (event.body.length === 0) {
          await tx.commit();
          ctx.log.warn('dropped an event with an empty body');
          return 'BACKOFF';
        }
        counter.eventDrainAttempt++;
        counter.batchComplete++;
        let status: number;
        try {
          status = await post(event.body);
        } catch (e) {
          counter.eventWriteFail++;
          await tx.rollback();
          throw new EventDeliveryException(`cannot POST to ${endpoint.href}: ${errorText(e)}`);
        }
        const roll = status < 100 || decide(status, rollback, defaultRollback);
        const back = status < 100 || decide(status, backoff, defaultBackoff);
        if (roll) await tx.rollback();
        else await tx.commit();
        if (status >= 100 && decide(status, increment, defaultIncrement)) counter.eventDrainSuccess++;
        if (roll) ctx.log.info(`got status ${status} from ${endpoint.host}; rolled the event back${back ? ' and backing off' : ' for a retry'}`);
        return back ? 'BACKOFF' : 'READY';
      } catch (e) {
        try {
          await tx.rollback();
        } catch {
          // already failing
        }
        if (e instanceof EventDeliveryException) throw e;
        throw new EventDeliveryException(errorText(e));
      } finally {
        tx.close();
      }
    },
    endpoints: () => [endpoint.href],
  };
  return sink;
};

export default create;
