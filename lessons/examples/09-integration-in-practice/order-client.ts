// Lesson 09, contract tests: the shipping service's client for the order service (the consumer's code under test).

// #region client
export interface OrderSummary {
  id: string;
  status: 'pending' | 'paid' | 'shipped' | 'cancelled';
  total: { amount: number; currency: string };
  shippingAddress: { city: string; postcode: string };
}

export async function getOrder(baseUrl: string, orderId: string): Promise<OrderSummary | null> {
  const res = await fetch(`${baseUrl}/orders/${encodeURIComponent(orderId)}`, {
    headers: { Accept: 'application/json' },
    signal: AbortSignal.timeout(2000),
  });
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`order service answered ${res.status}`);
  return (await res.json()) as OrderSummary;
}
// #endregion client
