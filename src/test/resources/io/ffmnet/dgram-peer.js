'use strict';
// A Node.js dgram peer for ffm-net's tests (DgramInteropTest, DgramMulticastTest,
// DgramBroadcastTest), run on loopback or inside a network namespace the test made.
//
//   node dgram-peer.js '<json>'
//
// {
//   "type": "udp4" | "udp6",
//   "bind": {"port": 0, "address": "0.0.0.0"},       // omitted: no bind (a sender only)
//   "join": [{"group": "239.1.2.3", "iface": "10.0.0.2"}],
//   "multicastInterface": "10.0.0.2", "broadcast": true, "multicastTTL": 1,
//   "ack": {"port": 4000, "address": "10.0.0.1"} | "sender",   // where received datagrams go back
//   "prefix": "a:",                                    // put before each acknowledged datagram
//   "send": [{"msg": "hello", "port": 4000, "address": "10.0.0.1"}]
// }
//
// Prints "ready <port>" once bound and joined (or "ready -1" without a bind), then
// "recv <address> <port> <size> <text>" for every datagram, and "sent <n>" after each send
// callback. Runs until its standard input closes, so the test controls its lifetime.
const dgram = require('dgram');
const cfg = JSON.parse(process.argv[2]);
const socket = dgram.createSocket(cfg.type || 'udp4');
const out = (line) => process.stdout.write(line + '\n');

socket.on('error', (err) => { out('error ' + err.message); process.exit(1); });
socket.on('message', (msg, rinfo) => {
  out(`recv ${rinfo.address} ${rinfo.port} ${rinfo.size} ${msg.toString()}`);
  if (cfg.ack === 'sender') {
    socket.send((cfg.prefix || '') + msg.toString(), rinfo.port, rinfo.address);
  } else if (cfg.ack) {
    socket.send((cfg.prefix || '') + msg.toString(), cfg.ack.port, cfg.ack.address);
  }
});

function configure() {
  for (const j of cfg.join || []) socket.addMembership(j.group, j.iface);
  if (cfg.multicastInterface) socket.setMulticastInterface(cfg.multicastInterface);
  if (cfg.broadcast) socket.setBroadcast(true);
  if (cfg.multicastTTL !== undefined) socket.setMulticastTTL(cfg.multicastTTL);
}

function sendAll() {
  for (const s of cfg.send || []) {
    socket.send(s.msg, s.port, s.address, (err, n) => out(err ? 'error ' + err.message : 'sent ' + n));
  }
}

if (cfg.bind) {
  socket.bind(cfg.bind.port || 0, cfg.bind.address, () => {
    configure();
    out('ready ' + socket.address().port);
    sendAll();
  });
} else {
  socket.bind(0, () => {
    configure();
    out('ready -1');
    sendAll();
  });
}
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
