// Lesson 09, contract tests: the order service's provider states, shared by its verification and the lesson's test.
import { orders } from './order-service.ts';

// #region states
/** One handler per `given(…)` of the pacts this provider verifies; each puts the store into that state. */
export const stateHandlers = {
  'order 7f3a9c exists': async () => {
    orders.set('7f3a9c', {
      id: '7f3a9c',
      status: 'shipped',
      total: { amount: 12900, currency: 'UAH' },
      shippingAddress: { city: 'Lviv', postcode: '79000' },
      createdAt: '2026-11-20T10:00:00Z',
    });
  },
  'order nope does not exist': async () => {
    orders.delete('nope');
  },
};
// #endregion states
