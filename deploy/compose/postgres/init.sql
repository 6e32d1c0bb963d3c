-- Seed schema and rows for the docker compose demo. Runs once, when the data directory is created
-- (docker-entrypoint-initdb.d). PostgreSQL runs with wal_level=logical (see docker-compose.yml);
-- Debezium's pgoutput plugin reads the publication it creates for the tables below.

CREATE TABLE public.customers (
  id          integer PRIMARY KEY,
  email       text NOT NULL UNIQUE,
  full_name   text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- A composite primary key: the sink's item key encodes every key column, in key order.
CREATE TABLE public.orders (
  customer_id integer NOT NULL REFERENCES public.customers (id),
  order_no    integer NOT NULL,
  status      text NOT NULL,
  total       numeric(12, 2) NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, order_no)
);

-- Full before-images on update and delete, so the change events carry the whole old row.
ALTER TABLE public.customers REPLICA IDENTITY FULL;
ALTER TABLE public.orders REPLICA IDENTITY FULL;

INSERT INTO public.customers (id, email, full_name) VALUES
  (1, 'ada@example.com', 'Ada Lovelace'),
  (2, 'grace@example.com', 'Grace Hopper'),
  (3, 'edsger@example.com', 'Edsger Dijkstra');

INSERT INTO public.orders (customer_id, order_no, status, total) VALUES
  (1, 1, 'shipped', 120.50),
  (1, 2, 'pending', 15.00),
  (2, 1, 'pending', 999.99);
