// A real Bluesky PDS (@atproto/pds) on localhost for cmpub's tests, with a small in-memory PLC
// directory (did:plc operations checked by @did-plc/lib, the library the PDS itself uses).
//
//   node start.mjs --port 2583 [--plc-port 0] [--jwt-secret S] [--data DIR] [--keep-stdin]
//
// --plc-port 0 (the default) lets the system choose the PLC's port; --data keeps the PDS's
// SQLite files and blobs in DIR (default: a temporary folder removed at exit); --keep-stdin
// keeps running when standard input closes (for a manual run with `< /dev/null`).
//
// Prints one line `cmpub-pds ready url=http://localhost:PORT plc=http://127.0.0.1:PLCPORT` on
// stdout when both servers answer, and stops (removing its temporary data) on SIGTERM/SIGINT or
// when its standard input closes, so that a test runner killed with SIGKILL leaves no server
// behind. Needs Node 22 (tests/support/servers/pds/setup.sh installs it).

import crypto from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'

import plc from '@did-plc/lib'

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '2583' },
    'plc-port': { type: 'string', default: '0' },
    'jwt-secret': { type: 'string', default: 'cmpub-test-jwt-secret' },
    data: { type: 'string' },
    'keep-stdin': { type: 'boolean', default: false },
  },
})

// ------------------------------------------------------------------ in-memory PLC directory

function startPlc(port) {
  const logs = new Map() // did -> [{ did, operation, cid, nullified, createdAt }]

  const send = (res, status, body, type = 'application/json') => {
    res.writeHead(status, { 'content-type': type })
    res.end(typeof body === 'string' ? body : JSON.stringify(body))
  }
  const readBody = (req) =>
    new Promise((resolve, reject) => {
      const chunks = []
      req.on('data', (c) => chunks.push(c))
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
      req.on('error', reject)
    })

  const handle = async (req, res) => {
    const url = new URL(req.url, 'http://plc')
    const [rawDid, ...rest] = url.pathname.slice(1).split('/')
    const did = decodeURIComponent(rawDid ?? '')
    const tail = rest.join('/')
    if (did === '_health') return send(res, 200, { version: 'cmpub-memory-plc' })
    if (!did.startsWith('did:plc:')) return send(res, 404, { message: 'not found' })
    const log = logs.get(did) ?? []
    if (req.method === 'POST' && tail === '') {
      const op = JSON.parse(await readBody(req))
      const ops = log.map((entry) => entry.operation)
      // Checks signatures, rotation keys and prev links of the whole log, the new op included.
      await plc.validateOperationLog(did, [...ops, op])
      const { cid } = await plc.getLastOpWithCid([...ops, op])
      log.push({
        did,
        operation: op,
        cid: cid.toString(),
        nullified: false,
        createdAt: new Date().toISOString(),
      })
      logs.set(did, log)
      return send(res, 200, '', 'text/plain')
    }
    if (req.method !== 'GET') return send(res, 405, { message: 'method not allowed' })
    if (log.length === 0) return send(res, 404, { message: `DID not registered: ${did}` })
    const ops = log.map((entry) => entry.operation)
    const data = await plc.validateOperationLog(did, ops)
    if (tail === '') {
      if (!data) return send(res, 410, { message: `DID not available: ${did}` })
      return send(res, 200, plc.formatDidDoc(data), 'application/did+ld+json')
    }
    if (tail === 'data') return send(res, 200, data)
    if (tail === 'log') return send(res, 200, ops)
    if (tail === 'log/last') return send(res, 200, ops[ops.length - 1])
    if (tail === 'log/audit') return send(res, 200, log)
    return send(res, 404, { message: 'not found' })
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => send(res, 400, { message: String(err?.message ?? err) }))
  })
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => resolve(server))
  })
}

// ------------------------------------------------------------------ PDS

const dataDir = args.data ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cmpub-pds-'))
const ownsData = !args.data
const plcServer = await startPlc(Number(args['plc-port']))
const plcUrl = `http://127.0.0.1:${plcServer.address().port}`

// Settings of real-servers.md: localhost, no invites, dev mode, .test handles, no rate limits,
// SQLite + disk blobstore. Set before @atproto/pds is imported (its logger reads LOG_* then).
process.env.LOG_ENABLED ??= 'false'
const { PDS, envToCfg, envToSecrets, readEnv } = await import('@atproto/pds')

const env = {
  ...readEnv(),
  port: Number(args.port),
  hostname: 'localhost',
  devMode: true,
  inviteRequired: false,
  serviceHandleDomains: ['.test'],
  rateLimitsEnabled: false,
  dataDirectory: dataDir,
  blobstoreDiskLocation: path.join(dataDir, 'blobs'),
  didPlcUrl: plcUrl,
  jwtSecret: args['jwt-secret'],
  adminPassword: 'cmpub-test-admin',
  plcRotationKeyK256PrivateKeyHex: crypto.randomBytes(32).toString('hex'),
  crawlers: [],
}
const pds = await PDS.create(envToCfg(env), envToSecrets(env))
await pds.start()

let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  await pds.destroy().catch(() => {})
  plcServer.close()
  if (ownsData) fs.rmSync(dataDir, { recursive: true, force: true })
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
if (!args['keep-stdin']) {
  process.stdin.on('end', stop)
  process.stdin.on('close', stop)
  process.stdin.resume()
}

console.log(`cmpub-pds ready url=http://localhost:${args.port} plc=${plcUrl}`)
