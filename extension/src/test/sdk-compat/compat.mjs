// The client libraries people build on, driven against the gateway: the official OpenAI SDK, the Vercel AI SDK
// (@ai-sdk/openai and @ai-sdk/openai-compatible) and LangChain (@langchain/openai). Each case prints one JSON line
// {client, provider, case, ok, detail}; SdkCompatibilityIT asserts them and what the fake vendors received.
// Environment: BASE_URL (…/llm/v1), TOKEN (a Keycloak access token), MODELS (JSON: provider label → model id).
import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { generateText, streamText, generateObject } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { ChatOpenAI } from '@langchain/openai';
import { z } from 'zod';

const BASE = process.env.BASE_URL;
const TOKEN = process.env.TOKEN;
const MODELS = JSON.parse(process.env.MODELS);

const Weather = z.object({ city: z.string(), temperature: z.number() });
const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};
const clockTool = {
  type: 'function',
  function: { name: 'get_time', description: 'The time now', parameters: { type: 'object', properties: {} } },
};

function greeting(text) {
  if (typeof text !== 'string' || !(text.includes('Hello from') || text.includes('Bonjour'))) {
    throw new Error('unexpected answer: ' + JSON.stringify(text));
  }
  return text;
}

function sameWeather(o) {
  if (!o || o.city !== 'Paris' || o.temperature !== 21) {
    throw new Error('unexpected object: ' + JSON.stringify(o));
  }
  return JSON.stringify(o);
}

async function run(client, provider, name, fn) {
  try {
    const detail = await fn();
    console.log(JSON.stringify({ client, provider, case: name, ok: true, detail: String(detail ?? '') }));
  } catch (e) {
    const detail = [e?.status, e?.code, e?.param, e?.message].filter((x) => x !== undefined).join(' | ');
    console.log(JSON.stringify({ client, provider, case: name, ok: false, detail }));
  }
}

for (const [provider, model] of Object.entries(MODELS)) {
  // The official OpenAI SDK
  const openai = new OpenAI({ apiKey: TOKEN, baseURL: BASE, maxRetries: 0 });
  const sdk = 'openai';
  await run(sdk, provider, 'chat', async () => {
    const c = await openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'Say hello' }] });
    return greeting(c.choices[0].message.content);
  });
  await run(sdk, provider, 'stream', async () => {
    const s = await openai.chat.completions.create({
      model, stream: true, messages: [{ role: 'user', content: 'Say hello' }],
    });
    let text = '';
    for await (const chunk of s) {
      if (Object.hasOwn(chunk, 'usage')) throw new Error('a usage member without asking: ' + JSON.stringify(chunk));
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    return greeting(text);
  });
  await run(sdk, provider, 'stream with usage', async () => {
    const s = await openai.chat.completions.create({
      model, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Say hello' }],
    });
    let usage = null;
    for await (const chunk of s) usage = chunk.usage ?? usage;
    if (!usage || !(usage.prompt_tokens > 0)) throw new Error('no usage: ' + JSON.stringify(usage));
    return `prompt_tokens ${usage.prompt_tokens}`;
  });
  await run(sdk, provider, 'tool call', async () => {
    const c = await openai.chat.completions.create({
      model, tools: [weatherTool], tool_choice: 'required', messages: [{ role: 'user', content: 'Weather in Paris?' }],
    });
    const call = c.choices[0].message.tool_calls[0];
    if (call.function.name !== 'get_weather' || JSON.parse(call.function.arguments).city !== 'Paris') {
      throw new Error(JSON.stringify(call));
    }
    return call.function.arguments;
  });
  await run(sdk, provider, 'tool call streamed, no arguments', async () => {
    const s = await openai.chat.completions.create({
      model, stream: true, tools: [clockTool], tool_choice: 'required', messages: [{ role: 'user', content: 'Time?' }],
    });
    let name = '';
    let args = '';
    for await (const chunk of s) {
      for (const t of chunk.choices[0]?.delta?.tool_calls ?? []) {
        name += t.function?.name ?? '';
        args += t.function?.arguments ?? '';
      }
    }
    if (name !== 'get_time') throw new Error('tool ' + name);
    return JSON.stringify(JSON.parse(args));
  });
  await run(sdk, provider, 'structured output (parse)', async () => {
    const c = await openai.chat.completions.parse({
      model, messages: [{ role: 'user', content: 'The weather in Paris' }],
      response_format: zodResponseFormat(Weather, 'weather'),
    });
    return sameWeather(c.choices[0].message.parsed);
  });
  await run(sdk, provider, 'models.retrieve', async () => {
    const m = await openai.models.retrieve(model);
    if (m.id !== model) throw new Error(JSON.stringify(m));
    const ids = [];
    for await (const x of openai.models.list()) ids.push(x.id);
    if (!ids.includes(model)) throw new Error('not listed: ' + ids.join(','));
    return m.owned_by;
  });
  await run(sdk, provider, 'error keeps code and param', async () => {
    const request = provider === 'anthropic' ? { n: 2 } : { max_tokens: -1 };
    try {
      await openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'Hi' }], ...request });
    } catch (e) {
      const want = provider === 'anthropic' ? ['n', 'unsupported_parameter'] : ['max_tokens', 'integer_below_min_value'];
      if (e.status !== 400 || e.param !== want[0] || e.code !== want[1]) {
        throw new Error(`status ${e.status} param ${e.param} code ${e.code}`);
      }
      return `${e.status} ${e.code} ${e.param}`;
    }
    throw new Error('no error');
  });

  // The Vercel AI SDK, through both of its OpenAI providers
  const vercel = {
    'ai-sdk openai': createOpenAI({ baseURL: BASE, apiKey: TOKEN }).chat(model),
    'ai-sdk openai-compatible': createOpenAICompatible({
      name: 'gateway', baseURL: BASE, apiKey: TOKEN, supportsStructuredOutputs: true,
    }).chatModel(model),
  };
  for (const [client, m] of Object.entries(vercel)) {
    await run(client, provider, 'generateText', async () => {
      const r = await generateText({ model: m, prompt: 'Say hello', maxRetries: 0 });
      return greeting(r.text);
    });
    await run(client, provider, 'streamText', async () => {
      const r = streamText({ model: m, prompt: 'Say hello', maxRetries: 0, onError: () => {} });
      let text = '';
      for await (const t of r.textStream) text += t;
      return greeting(text);
    });
    await run(client, provider, 'generateObject', async () => {
      const r = await generateObject({ model: m, schema: Weather, prompt: 'The weather in Paris', maxRetries: 0 });
      return sameWeather(r.object);
    });
  }

  // LangChain
  const lc = new ChatOpenAI({ model, apiKey: TOKEN, configuration: { baseURL: BASE }, maxRetries: 0 });
  await run('langchain', provider, 'invoke', async () => greeting((await lc.invoke('Say hello')).content));
  await run('langchain', provider, 'stream', async () => {
    let text = '';
    for await (const chunk of await lc.stream('Say hello')) text += chunk.content;
    return greeting(text);
  });
  await run('langchain', provider, 'withStructuredOutput', async () =>
    sameWeather(await lc.withStructuredOutput(Weather, { name: 'weather' }).invoke('The weather in Paris')));
  await run('langchain', provider, 'bindTools', async () => {
    const msg = await lc.bindTools([weatherTool], { tool_choice: 'required' }).invoke('Weather in Paris?');
    const call = msg.tool_calls?.[0];
    if (call?.name !== 'get_weather' || call.args.city !== 'Paris') throw new Error(JSON.stringify(msg.tool_calls));
    return JSON.stringify(call.args);
  });
}
