-- Each staff member's open orders and inquiries, kept by triggers so the
-- owner rule ("the active staff member with the fewest open cases") reads
-- one row per person instead of counting their cases on every new order.
ALTER TABLE staff ADD COLUMN open_cases integer NOT NULL DEFAULT 0;
--bun:split
UPDATE staff SET open_cases =
    (SELECT count(*) FROM orders o WHERE o.owner_id = staff.id AND o.is_open = 1) +
    (SELECT count(*) FROM inquiries i WHERE i.owner_id = staff.id AND i.is_open = 1);
--bun:split
CREATE TRIGGER orders_load_insert AFTER INSERT ON orders WHEN NEW.is_open = 1 BEGIN
    UPDATE staff SET open_cases = open_cases + 1 WHERE id = NEW.owner_id;
END;
--bun:split
CREATE TRIGGER orders_load_update AFTER UPDATE OF owner_id, is_open ON orders
WHEN OLD.owner_id <> NEW.owner_id OR OLD.is_open <> NEW.is_open BEGIN
    UPDATE staff SET open_cases = open_cases - 1 WHERE id = OLD.owner_id AND OLD.is_open = 1;
    UPDATE staff SET open_cases = open_cases + 1 WHERE id = NEW.owner_id AND NEW.is_open = 1;
END;
--bun:split
CREATE TRIGGER orders_load_delete AFTER DELETE ON orders WHEN OLD.is_open = 1 BEGIN
    UPDATE staff SET open_cases = open_cases - 1 WHERE id = OLD.owner_id;
END;
--bun:split
CREATE TRIGGER inquiries_load_insert AFTER INSERT ON inquiries WHEN NEW.is_open = 1 BEGIN
    UPDATE staff SET open_cases = open_cases + 1 WHERE id = NEW.owner_id;
END;
--bun:split
CREATE TRIGGER inquiries_load_update AFTER UPDATE OF owner_id, is_open ON inquiries
WHEN OLD.owner_id <> NEW.owner_id OR OLD.is_open <> NEW.is_open BEGIN
    UPDATE staff SET open_cases = open_cases - 1 WHERE id = OLD.owner_id AND OLD.is_open = 1;
    UPDATE staff SET open_cases = open_cases + 1 WHERE id = NEW.owner_id AND NEW.is_open = 1;
END;
--bun:split
CREATE TRIGGER inquiries_load_delete AFTER DELETE ON inquiries WHEN OLD.is_open = 1 BEGIN
    UPDATE staff SET open_cases = open_cases - 1 WHERE id = OLD.owner_id;
END;
--bun:split
CREATE INDEX staff_load ON staff (active, open_cases, id);
