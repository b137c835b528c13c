// In-memory storage for customers and their orders (done for you; TODO 8 adds to it). The routes only
// talk to this module, so swapping the Maps for a database changes nothing else.
import { randomUUID } from 'node:crypto';

export const ORDER_STATUSES = ['pending', 'paid', 'shipped', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface Customer {
  id: string;
  name: string;
  email: string;
  created_at: string;
  updated_at: string;
}

export interface Order {
  id: string;
  customer_id: string;
  status: OrderStatus;
  total_cents: number;
  currency: string;
  note: string | null;
  created_at: string;
  updated_at: string;
}

export type CustomerFields = Pick<Customer, 'name' | 'email'>;
export type OrderFields = Pick<Order, 'status' | 'total_cents' | 'currency' | 'note'>;

// #region monotonic-clock
let lastStamp = 0;
/**
 * Timestamps that strictly increase, even for two writes in the same millisecond: `created_at` is then a total order,
 * so sorting by it and filtering with `created_after` never depend on how ties happen to fall.
 */
function nextTimestamp(): string {
  lastStamp = Math.max(Date.now(), lastStamp + 1);
  return new Date(lastStamp).toISOString();
}
// #endregion monotonic-clock

export function createRepository() {
  const customers = new Map<string, Customer>();
  const orders = new Map<string, Order>();
  // TODO 8: somewhere to remember, per Idempotency-Key, the request's fingerprint and the order you answered with.

  return {
    listCustomers: (): Customer[] => [...customers.values()],
    getCustomer: (id: string): Customer | undefined => customers.get(id),

    /** E-mail addresses are unique regardless of case: Ada@Example.com and ada@example.com are one mailbox. */
    findCustomerByEmail(email: string): Customer | undefined {
      const wanted = email.toLowerCase();
      return [...customers.values()].find((customer) => customer.email.toLowerCase() === wanted);
    },

    createCustomer(fields: CustomerFields): Customer {
      const now = nextTimestamp();
      const customer: Customer = { id: `cus_${randomUUID()}`, ...fields, created_at: now, updated_at: now };
      customers.set(customer.id, customer);
      return customer;
    },

    /** PUT passes every field, PATCH only the ones it changes; either way the result is stored whole. */
    updateCustomer(id: string, changes: Partial<CustomerFields>): Customer | undefined {
      const current = customers.get(id);
      if (!current) return undefined;
      const updated: Customer = { ...current, ...changes, updated_at: nextTimestamp() };
      customers.set(id, updated);
      return updated;
    },

    /** Deleting a customer deletes their orders too: an order without its customer would be an orphan. */
    deleteCustomer(id: string): boolean {
      for (const order of orders.values()) if (order.customer_id === id) orders.delete(order.id);
      return customers.delete(id);
    },

    listOrders: (customerId: string): Order[] => [...orders.values()].filter((o) => o.customer_id === customerId),
    getOrder: (id: string): Order | undefined => orders.get(id),

    createOrder(customerId: string, fields: OrderFields): Order {
      const now = nextTimestamp();
      const order: Order = { id: `ord_${randomUUID()}`, customer_id: customerId, ...fields, created_at: now, updated_at: now };
      orders.set(order.id, order);
      return order;
    },

    updateOrder(id: string, changes: Partial<OrderFields>): Order | undefined {
      const current = orders.get(id);
      if (!current) return undefined;
      const updated: Order = { ...current, ...changes, updated_at: nextTimestamp() };
      orders.set(id, updated);
      return updated;
    },

    deleteOrder: (id: string): boolean => orders.delete(id),
  };
}

export type Repository = ReturnType<typeof createRepository>;
