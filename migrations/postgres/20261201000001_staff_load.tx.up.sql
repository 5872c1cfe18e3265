-- Each staff member's open orders and inquiries, kept by triggers so the
-- owner rule ("the active staff member with the fewest open cases") reads
-- one row per person instead of counting their cases on every new order.
ALTER TABLE staff ADD COLUMN open_cases integer NOT NULL DEFAULT 0;
--bun:split
UPDATE staff SET open_cases =
    (SELECT count(*) FROM orders o WHERE o.owner_id = staff.id AND o.is_open) +
    (SELECT count(*) FROM inquiries i WHERE i.owner_id = staff.id AND i.is_open);
--bun:split
CREATE FUNCTION kedja_case_load() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.is_open THEN
        UPDATE staff SET open_cases = open_cases - 1 WHERE id = OLD.owner_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.is_open THEN
        UPDATE staff SET open_cases = open_cases + 1 WHERE id = NEW.owner_id;
    END IF;
    RETURN NULL;
END
$$;
--bun:split
CREATE TRIGGER orders_load_insert AFTER INSERT ON orders FOR EACH ROW WHEN (NEW.is_open)
    EXECUTE FUNCTION kedja_case_load();
--bun:split
CREATE TRIGGER orders_load_update AFTER UPDATE OF owner_id, is_open ON orders FOR EACH ROW
    WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id OR OLD.is_open IS DISTINCT FROM NEW.is_open)
    EXECUTE FUNCTION kedja_case_load();
--bun:split
CREATE TRIGGER orders_load_delete AFTER DELETE ON orders FOR EACH ROW WHEN (OLD.is_open)
    EXECUTE FUNCTION kedja_case_load();
--bun:split
CREATE TRIGGER inquiries_load_insert AFTER INSERT ON inquiries FOR EACH ROW WHEN (NEW.is_open)
    EXECUTE FUNCTION kedja_case_load();
--bun:split
CREATE TRIGGER inquiries_load_update AFTER UPDATE OF owner_id, is_open ON inquiries FOR EACH ROW
    WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id OR OLD.is_open IS DISTINCT FROM NEW.is_open)
    EXECUTE FUNCTION kedja_case_load();
--bun:split
CREATE TRIGGER inquiries_load_delete AFTER DELETE ON inquiries FOR EACH ROW WHEN (OLD.is_open)
    EXECUTE FUNCTION kedja_case_load();
--bun:split
CREATE INDEX staff_load ON staff (active, open_cases, id);
