import { benchNotificationsFanout } from './notifications-fanout';
console.log(JSON.stringify(await benchNotificationsFanout({}), null, 1));
