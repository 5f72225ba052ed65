// A second real ACP client: the official TypeScript SDK (@agentclientprotocol/sdk, pinned in
// scripts/dev.sh) drives `zeph-tui acp` through a whole session in two agent processes.
//
// Usage: node ts_sdk_client.mjs SDK_DIR WORKSPACE PYTHON
// Prints one JSON object: what each step answered (the Python test asserts on it).
import { spawn } from "node:child_process";
import { Readable, Writable } from "node:stream";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [sdkDir, workspace, python] = process.argv.slice(2);
const sdk = await import(pathToFileURL(path.join(sdkDir, "dist/v1/stable/acp.js")).href);
const { client, ndJsonStream, methods } = sdk;

const CAPS = {
  fs: { readTextFile: false, writeTextFile: false },
  terminal: false,
  session: { configOptions: { boolean: {} }, notices: {} },
  elicitation: { form: {} },
};

function startAgent() {
  const proc = spawn(python, ["-m", "zeph_tui", "acp", "--provider", "anthropic"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const stream = ndJsonStream(Writable.toWeb(proc.stdin), Readable.toWeb(proc.stdout));
  return { proc, stream };
}

function app(record) {
  return client({ name: "ts-sdk-test" })
    .onRequest(methods.client.session.requestPermission, ({ params }) => {
      record.permissions.push(params.toolCall.toolCallId);
      return { outcome: { outcome: "selected", optionId: "allow_once" } };
    })
    .onRequest(methods.client.elicitation.create, ({ params }) => {
      record.elicitations.push(params);
      return { action: "accept", content: { answer: "blue" } };
    })
    .onNotification(methods.client.session.update, ({ params }) => {
      record.updates.push(params.update);
    });
}

function text(updates, kind) {
  return updates
    .filter((u) => u.sessionUpdate === kind && u.content?.type === "text")
    .map((u) => u.content.text)
    .join("");
}

async function first(out) {
  const record = { permissions: [], elicitations: [], updates: [] };
  const { proc, stream } = startAgent();
  await app(record).connectWith(stream, async (agent) => {
    const init = await agent.request(methods.agent.initialize, {
      protocolVersion: 1,
      clientCapabilities: CAPS,
      clientInfo: { name: "ts-sdk-test", version: "1" },
    });
    out.agentCapabilities = init.agentCapabilities;
    const created = await agent.request(methods.agent.session.new, { cwd: workspace, mcpServers: [] });
    out.sessionId = created.sessionId;
    out.configIds = created.configOptions.map((o) => `${o.id}:${o.type}`);
    const sel = await agent.request(methods.agent.session.setConfigOption, {
      sessionId: created.sessionId, configId: "mode", value: "bypass",
    });
    out.modeAfter = sel.configOptions.find((o) => o.id === "mode").currentValue;
    const bool = await agent.request(methods.agent.session.setConfigOption, {
      sessionId: created.sessionId, configId: "thinking", type: "boolean", value: true,
    });
    out.thinkingAfter = bool.configOptions.find((o) => o.id === "thinking").currentValue;
    const asked = await agent.request(methods.agent.session.prompt, {
      sessionId: created.sessionId, prompt: [{ type: "text", text: "[case:ask] favourite colour?" }],
    });
    out.askStop = asked.stopReason;
    out.askReply = text(record.updates, "agent_message_chunk");
    out.toolNames = record.updates.filter((u) => u.sessionUpdate === "tool_call").map((u) => u.name);
    out.elicitations = record.elicitations;
    out.commandsUpdates = record.updates.filter((u) => u.sessionUpdate === "available_commands_update").length;
    const running = agent.request(methods.agent.session.prompt, {
      sessionId: created.sessionId, prompt: [{ type: "text", text: "[case:sleep] nap" }],
    });
    while (!record.updates.some((u) => u.sessionUpdate === "tool_call" && u.name === "bash")) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await agent.notify(methods.agent.session.cancel, { sessionId: created.sessionId });
    out.cancelStop = (await running).stopReason;
  });
  proc.stdin.end();
  out.firstExit = await new Promise((r) => proc.on("exit", (code) => r(code)));
}

async function second(out) {
  const record = { permissions: [], elicitations: [], updates: [] };
  const { proc, stream } = startAgent();
  await app(record).connectWith(stream, async (agent) => {
    await agent.request(methods.agent.initialize, { protocolVersion: 1, clientCapabilities: CAPS });
    await agent.request(methods.agent.session.load, {
      sessionId: out.sessionId, cwd: workspace, mcpServers: [],
    });
    out.replayedUser = text(record.updates, "user_message_chunk");
    out.replayedAgent = text(record.updates, "agent_message_chunk");
    const before = await agent.request(methods.agent.session.list, {});
    out.listedBefore = before.sessions.map((s) => s.sessionId);
    await agent.request(methods.agent.session.delete, { sessionId: out.sessionId });
    const after = await agent.request(methods.agent.session.list, {});
    out.listedAfter = after.sessions.map((s) => s.sessionId);
    try {
      await agent.request(methods.agent.session.load, { sessionId: out.sessionId, cwd: workspace, mcpServers: [] });
      out.loadAfterDelete = "loaded";
    } catch (err) {
      out.loadAfterDelete = err.code;
    }
  });
  proc.stdin.end();
  out.secondExit = await new Promise((r) => proc.on("exit", (code) => r(code)));
}

const out = {};
try {
  await first(out);
  await second(out);
} catch (err) {
  out.error = String(err?.stack ?? err);
}
process.stdout.write(JSON.stringify(out) + "\n");
