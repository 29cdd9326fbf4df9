// The floor under the API's numbers: a bare node:http server answering every request, once its body
// has arrived, with the same JSON document (the file named by the second argument), on the port
// named by the first. tools/bench/speed.mjs runs it in its own process, as the gateway runs in its.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const [port, bodyFile] = process.argv.slice(2);
const body = readFileSync(bodyFile);

createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length });
    res.end(body);
  });
}).listen(Number(port), '127.0.0.1');

process.once('SIGTERM', () => process.exit(0));
