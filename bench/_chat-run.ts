import { benchChatMessages } from './chat-messages';
const r = await benchChatMessages({ messages: Number(process.env.N ?? 10000), warmup: Number(process.env.W ?? 3000) });
console.log(JSON.stringify(r));
