// A sink server (prints "sink PORT"), then, once a proxy port arrives on stdin, a client that
// sends TOTAL bytes through the proxy to the sink; prints bytes, seconds and MB/s at the sink.
const net = require('net');
const TOTAL = +process.argv[2];
const chunk = Buffer.alloc(256 * 1024, 7);
let t0;
const sink = net.createServer(s => {
  let n = 0;
  s.on('data', d => { n += d.length; });
  s.on('end', () => {
    const sec = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`bytes ${n} seconds ${sec.toFixed(3)} MBps ${(n / 1048576 / sec).toFixed(1)}`);
    s.end(); sink.close(); process.exit(0);
  });
});
sink.listen(0, '127.0.0.1', () => console.log('sink ' + sink.address().port));
process.stdin.once('data', port => {
  const c = net.connect(+port.toString().trim(), '127.0.0.1', () => {
    t0 = process.hrtime.bigint();
    let sent = 0;
    const pump = () => {
      while (sent < TOTAL) { sent += chunk.length; if (!c.write(chunk)) return c.once('drain', pump); }
      c.end();
    };
    pump();
  });
  c.resume();
});
