// A real Bluesky network on loopback (PLC, PDS, AppView) for rapport's end-to-end tests.
//
// Prints one JSON line when ready: {"ready": true, "pds", "appview", "plc", "accounts": {...}}.
// Then reads one JSON command per line on stdin and answers each with one JSON line
// ({"ok": true, ...} or {"ok": false, "error"}). Exits on stdin EOF, SIGTERM or SIGINT.
//
// Needs DB_POSTGRES_URL, DB_POSTGRES_SCHEMA (fresh per run) and REDIS_HOST (set, never used).

import dns from 'node:dns'
import { createRequire } from 'node:module'
import net from 'node:net'
import readline from 'node:readline'

const LOOPBACK = '127.0.0.1'
const WILDCARDS = new Set(['', '0.0.0.0', '::', undefined, null])

// The dev-env servers call listen(port), which binds every interface: keep them on loopback.
const listen = net.Server.prototype.listen
net.Server.prototype.listen = function (...args) {
  const [first] = args
  if (first !== null && typeof first === 'object' && !('fd' in first) && !first.path && !('_handle' in first)) {
    if (WILDCARDS.has(first.host)) args[0] = { ...first, host: LOOPBACK }
  } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    if (typeof args[1] !== 'string') args.splice(1, 0, LOOPBACK)
    else if (WILDCARDS.has(args[1])) args[1] = LOOPBACK
  } else if (first === undefined || typeof first === 'function') {
    args.unshift(0, LOOPBACK)
  }
  return listen.apply(this, args)
}
dns.setDefaultResultOrder('ipv4first') // "localhost" in the service URLs means 127.0.0.1

// The protocol owns stdout: anything a library prints goes to stderr.
const reply = (message) => process.stdout.write(JSON.stringify(message) + '\n')
console.log = console.info = console.debug = console.warn = console.error

const require = createRequire(import.meta.url)
const { TestNetwork, RecordRef } = require('@atproto/dev-env')

const PASSWORD = 'rapport-e2e-password'
let network
let seed
let createSessionCalls = 0

async function start() {
  network = await TestNetwork.create({ dbPostgresSchema: process.env.DB_POSTGRES_SCHEMA })
  // Count logins at the PDS itself, to prove that a restored session does not log in again.
  network.pds.server.server.prependListener('request', (req) => {
    if (req.url.startsWith('/xrpc/com.atproto.server.createSession')) createSessionCalls += 1
  })
  seed = network.getSeedClient()
  await seed.createAccount('ours', { handle: 'rapport.test', email: 'rapport@rapport.test', password: PASSWORD })
  await seed.createAccount('ana', { handle: 'ana.test', email: 'ana@rapport.test', password: PASSWORD })
  await seed.createProfile(seed.dids.ana, 'Ana Lima', 'Potter in Porto. Kilns, glazes, long walks. 🏺')
  await network.processAll()
  const account = (name) => ({ handle: seed.accounts[seed.dids[name]].handle, did: seed.dids[name], password: PASSWORD })
  reply({
    ready: true,
    pds: network.pds.url,
    appview: network.bsky.url,
    plc: network.plc.url,
    accounts: { ours: account('ours'), ana: account('ana') },
  })
}

async function recordRef(uri) {
  const [repo, collection, rkey] = uri.replace('at://', '').split('/')
  const { data } = await seed.agent.com.atproto.repo.getRecord({ repo, collection, rkey })
  return { ref: new RecordRef(data.uri, data.cid), value: data.value }
}

function mentionFacets(text, mentions) {
  // Facet offsets count UTF-8 bytes, not characters.
  return (mentions || []).map((did) => {
    const handle = '@' + seed.accounts[did].handle
    const start = text.indexOf(handle)
    if (start < 0) throw new Error(`${handle} is not in the text`)
    const byteStart = Buffer.byteLength(text.slice(0, start))
    return {
      index: { byteStart, byteEnd: byteStart + Buffer.byteLength(handle) },
      features: [{ $type: 'app.bsky.richtext.facet#mention', did }],
    }
  })
}

async function post({ as, text, reply_to: replyTo, quote, mentions, langs }) {
  const facets = mentionFacets(text, mentions)
  const overrides = langs ? { langs } : {}
  if (replyTo) {
    const parent = await recordRef(replyTo)
    const root = parent.value.reply ? new RecordRef(parent.value.reply.root.uri, parent.value.reply.root.cid) : parent.ref
    const made = await seed.reply(as, root, parent.ref, text, facets, undefined, overrides)
    return { uri: made.ref.uriStr, cid: made.ref.cidStr }
  }
  const quoted = quote ? (await recordRef(quote)).ref : undefined
  const made = await seed.post(as, text, facets, undefined, quoted, overrides)
  return { uri: made.ref.uriStr, cid: made.ref.cidStr }
}

const commands = {
  processAll: async () => {
    await network.processAll()
    return {}
  },
  post: async (cmd) => post({ ...cmd, as: seed.dids[cmd.as], mentions: (cmd.mentions || []).map((n) => seed.dids[n]) }),
  like: async ({ as, uri }) => ({ uri: (await seed.like(seed.dids[as], (await recordRef(uri)).ref)).toString() }),
  repost: async ({ as, uri }) => ({ uri: (await seed.repost(seed.dids[as], (await recordRef(uri)).ref)).uriStr }),
  follow: async ({ as, subject }) => ({ uri: (await seed.follow(seed.dids[as], seed.dids[subject])).uriStr }),
  notifications: async ({ as }) => {
    const headers = seed.getHeaders(seed.dids[as])
    const { data } = await seed.agent.app.bsky.notification.listNotifications({ limit: 100 }, { headers })
    return { notifications: data.notifications }
  },
  record: async ({ uri }) => {
    const { ref, value } = await recordRef(uri)
    return { uri: ref.uriStr, cid: ref.cidStr, value }
  },
  records: async ({ as, collection }) => {
    const { data } = await seed.agent.com.atproto.repo.listRecords({ repo: seed.dids[as], collection, limit: 100 })
    return { records: data.records }
  },
  stats: async () => ({ createSession: createSessionCalls }),
}

async function serve() {
  const lines = readline.createInterface({ input: process.stdin })
  for await (const line of lines) {
    if (!line.trim()) continue
    try {
      const cmd = JSON.parse(line)
      const handler = commands[cmd.cmd]
      if (!handler) throw new Error(`unknown command ${cmd.cmd}`)
      reply({ ok: true, ...(await handler(cmd)) })
    } catch (err) {
      reply({ ok: false, error: String(err && err.stack ? err.stack : err) })
    }
  }
}

let closing = false
async function stop(code) {
  if (closing) return
  closing = true
  try {
    if (network) await network.close()
  } finally {
    process.exit(code)
  }
}

process.on('SIGTERM', () => stop(0))
process.on('SIGINT', () => stop(0))

try {
  await start()
} catch (err) {
  console.error('launcher: the network did not start:', err)
  await stop(1)
}
await serve()
await stop(0)
