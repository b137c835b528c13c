// Lesson 09, contract tests: the order service (the provider), a Hono app over an in-memory store.
import { Hono } from 'hono';

export interface Order {
  id: string;
  status: 'pending' | 'paid' | 'shipped' | 'cancelled';
  total: { amount: number; currency: string };
  shippingAddress: { city: string; postcode: string };
  createdAt: string;
}

export const orders = new Map<string, Order>();

export const app = new Hono();
app.get('/orders/:id', (c) => {
  const order = orders.get(c.req.param('id'));
  return order ? c.json(order) : c.json({ error: { code: 'not_found', message: 'No order has this id.' } }, 404);
});
