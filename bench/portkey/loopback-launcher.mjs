// Starts Portkey's open-source gateway (an installed @portkey-ai/gateway package) bound to 127.0.0.1 only, for
// bench/run-compare-bench.sh. Its build/start-server.js listens on every interface and has no host option, so this
// launcher makes a listen() call that names no host listen on the loopback address, then loads that file unchanged.
//   node bench/portkey/loopback-launcher.mjs <path to build/start-server.js> --port=N [--headless]
import net from 'node:net';
import { pathToFileURL } from 'node:url';

const [script, ...rest] = process.argv.slice(2);
if (!script) {
  console.error('usage: loopback-launcher.mjs <start-server.js> --port=N [--headless]');
  process.exit(2);
}
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  // listen(port), listen(port, undefined, ...), listen(port, callback), listen({port}): add the loopback host.
  if (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0]))) {
    if (args.length < 2 || args[1] === undefined || typeof args[1] === 'function') {
      args.splice(1, args[1] === undefined && args.length >= 2 ? 1 : 0, '127.0.0.1');
    }
  } else if (args[0] && typeof args[0] === 'object' && args[0].port !== undefined && !args[0].host) {
    args[0] = { ...args[0], host: '127.0.0.1' };
  }
  return listen.apply(this, args);
};
process.argv = [process.argv[0], script, ...rest];
await import(pathToFileURL(script).href);
