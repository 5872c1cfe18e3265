-- Whether a new order mails the customer an order confirmation (on unless
-- the business turns it off).
ALTER TABLE settings ADD COLUMN order_confirmation boolean NOT NULL DEFAULT true;
