// Node 20's net + dgram echo, written as the Node docs write it.
// Usage: node node_echo.js --tcp-port P [--udp-port U] [--idle-timeout MS]; prints "ready".
'use strict';
const net = require('net');
const dgram = require('dgram');

const args = {};
for (let i = 2; i + 1 < process.argv.length; i += 2) args[process.argv[i]] = process.argv[i + 1];
const tcpPort = Number(args['--tcp-port'] || 0);
const udpPort = args['--udp-port'] === undefined ? -1 : Number(args['--udp-port']);
const idleTimeout = Number(args['--idle-timeout'] || 0);

let pending = udpPort >= 0 ? 2 : 1;
const ready = () => {
  if (--pending === 0) {
    process.stderr.write(`impl=node pid=${process.pid} tcp=${server.address().port} udp=${udp ? udp.address().port : -1} idleTimeoutMs=${idleTimeout}\n`);
    process.stdout.write('ready\n');
  }
};

const server = net.createServer({ noDelay: true }, (socket) => {
  socket.on('data', (d) => socket.write(d));
  socket.on('error', () => {});
  if (idleTimeout > 0) socket.setTimeout(idleTimeout, () => socket.destroy());
});
server.listen(tcpPort, '127.0.0.1', 511, ready);

let udp = null;
if (udpPort >= 0) {
  udp = dgram.createSocket('udp4', (msg, rinfo) => udp.send(msg, rinfo.port, rinfo.address));
  udp.on('error', () => {});
  udp.bind(udpPort, '127.0.0.1', ready);
}

process.on('SIGTERM', () => {
  server.close();
  if (udp) udp.close();
  process.stderr.write('echo server node closed\n');
  process.exit(0);
});
