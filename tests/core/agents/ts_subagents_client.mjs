// The official TypeScript SDK (@agentclientprotocol/sdk, pinned in scripts/dev.sh) drives one
// turn of `zeph-tui acp` in which the model starts a sub-agent. The SDK validates every
// message it receives with its own schema types; a failure surfaces as `error` in the output.
//
// Usage: node ts_subagents_client.mjs SDK_DIR WORKSPACE PYTHON
// Prints one JSON object: the updates and permission requests received, the stop reason.
import { spawn } from "node:child_process";
import { Readable, Writable } from "node:stream";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [sdkDir, workspace, python] = process.argv.slice(2);
const sdk = await import(pathToFileURL(path.join(sdkDir, "dist/v1/stable/acp.js")).href);
const { client, ndJsonStream, methods } = sdk;

const out = { updates: [], permissions: [] };
try {
  const proc = spawn(python, ["-m", "zeph_tui", "acp", "--provider", "anthropic"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const stream = ndJsonStream(Writable.toWeb(proc.stdin), Readable.toWeb(proc.stdout));
  const app = client({ name: "ts-sdk-subagents" })
    .onRequest(methods.client.session.requestPermission, ({ params }) => {
      out.permissions.push(params);
      return { outcome: { outcome: "selected", optionId: "allow_once" } };
    })
    .onNotification(methods.client.session.update, ({ params }) => {
      out.updates.push(params.update);
    });
  await app.connectWith(stream, async (agent) => {
    await agent.request(methods.agent.initialize, {
      protocolVersion: 1,
      clientCapabilities: { fs: { readTextFile: false, writeTextFile: false }, terminal: false },
      clientInfo: { name: "ts-sdk-subagents", version: "1" },
    });
    const created = await agent.request(methods.agent.session.new, { cwd: workspace, mcpServers: [] });
    out.sessionId = created.sessionId;
    const done = await agent.request(methods.agent.session.prompt, {
      sessionId: created.sessionId, prompt: [{ type: "text", text: "delegate" }],
    });
    out.stopReason = done.stopReason;
  });
  proc.stdin.end();
  out.exit = await new Promise((r) => proc.on("exit", (code) => r(code)));
} catch (err) {
  out.error = String(err?.stack ?? err);
}
process.stdout.write(JSON.stringify(out) + "\n");
