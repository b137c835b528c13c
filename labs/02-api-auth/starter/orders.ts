// The order store, trimmed down from lab 01: this lab is about who may call it.
import { randomUUID } from 'node:crypto';

export interface Order {
  id: string;
  status: 'pending' | 'paid' | 'shipped';
  total_cents: number;
  currency: string;
  created_by: string;
  created_at: string;
}

export function createOrderStore() {
  const orders = new Map<string, Order>();
  return {
    list: (): Order[] => [...orders.values()],
    get: (id: string): Order | undefined => orders.get(id),
    create(fields: Pick<Order, 'total_cents' | 'currency' | 'created_by'>): Order {
      const order: Order = { id: `ord_${randomUUID()}`, status: 'pending', ...fields, created_at: new Date().toISOString() };
      orders.set(order.id, order);
      return order;
    },
  };
}

export type OrderStore = ReturnType<typeof createOrderStore>;
