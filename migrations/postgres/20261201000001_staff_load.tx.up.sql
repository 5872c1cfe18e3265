-- Each staff member's open orders and inquiries, kept by triggers so the
-- owner rule ("the active staff member with the fewest open cases") reads
-- one row per person instead of counting their cases on every new order.
-- Statement-level triggers with transition tables: handing 100,000 open
-- orders to a colleague adds up the change per person once, instead of
-- updating their two staff rows 100,000 times each.
ALTER TABLE staff ADD COLUMN open_cases integer NOT NULL DEFAULT 0;
--bun:split
UPDATE staff SET open_cases =
    (SELECT count(*) FROM orders o WHERE o.owner_id = staff.id AND o.is_open) +
    (SELECT count(*) FROM inquiries i WHERE i.owner_id = staff.id AND i.is_open);
--bun:split
CREATE FUNCTION kedja_load_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE staff s SET open_cases = s.open_cases + d.n
    FROM (SELECT owner_id, count(*) AS n FROM new_rows WHERE is_open GROUP BY owner_id) d
    WHERE s.id = d.owner_id;
    RETURN NULL;
END
$$;
--bun:split
CREATE FUNCTION kedja_load_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE staff s SET open_cases = s.open_cases + d.n
    FROM (SELECT owner_id, sum(n) AS n FROM (
              SELECT owner_id, -1 AS n FROM old_rows WHERE is_open
              UNION ALL
              SELECT owner_id, 1 AS n FROM new_rows WHERE is_open) x
          GROUP BY owner_id) d
    WHERE s.id = d.owner_id AND d.n <> 0;
    RETURN NULL;
END
$$;
--bun:split
CREATE FUNCTION kedja_load_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE staff s SET open_cases = s.open_cases - d.n
    FROM (SELECT owner_id, count(*) AS n FROM old_rows WHERE is_open GROUP BY owner_id) d
    WHERE s.id = d.owner_id;
    RETURN NULL;
END
$$;
--bun:split
CREATE TRIGGER orders_load_insert AFTER INSERT ON orders REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION kedja_load_insert();
--bun:split
CREATE TRIGGER orders_load_update AFTER UPDATE ON orders REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION kedja_load_update();
--bun:split
CREATE TRIGGER orders_load_delete AFTER DELETE ON orders REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION kedja_load_delete();
--bun:split
CREATE TRIGGER inquiries_load_insert AFTER INSERT ON inquiries REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION kedja_load_insert();
--bun:split
CREATE TRIGGER inquiries_load_update AFTER UPDATE ON inquiries REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION kedja_load_update();
--bun:split
CREATE TRIGGER inquiries_load_delete AFTER DELETE ON inquiries REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION kedja_load_delete();
--bun:split
CREATE INDEX staff_load ON staff (active, open_cases, id);
