package org.hamkafka.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class EmbeddedPostgresTest {

    @Test
    void selectOneAndATableThroughJdbc() throws Exception {
        try (EmbeddedPostgres pg = new EmbeddedPostgres().start()) {
            assertTrue(pg.jdbcUrl().matches("jdbc:postgresql://localhost:\\d+/ham"), pg.jdbcUrl());
            try (Connection c = pg.connect(); Statement s = c.createStatement()) {
                try (ResultSet r = s.executeQuery("select 1, current_user, current_database()")) {
                    assertTrue(r.next());
                    assertEquals(1, r.getInt(1));
                    assertEquals("ham", r.getString(2));
                    assertEquals("ham", r.getString(3));
                }
                s.execute("create table jobs (id text primary key, epochs int not null)");
                try (PreparedStatement p = c.prepareStatement("insert into jobs values (?, ?)")) {
                    p.setString(1, "job-1");
                    p.setInt(2, 120);
                    p.executeUpdate();
                }
                try (ResultSet r = s.executeQuery("select epochs from jobs where id = 'job-1'")) {
                    assertTrue(r.next());
                    assertEquals(120, r.getInt(1));
                    assertFalse(r.next());
                }
            }
        }
    }

    @Test
    void everyConnectionNeedsItsPasswordTheSuperuserToo() throws Exception {
        try (EmbeddedPostgres pg = new EmbeddedPostgres().start()) {
            String admin = "jdbc:postgresql://localhost:" + pg.port() + "/postgres";
            java.sql.SQLException e = assertThrows(java.sql.SQLException.class,
                    () -> java.sql.DriverManager.getConnection(admin, "postgres", "").close());
            assertTrue(e.getMessage().contains("password"), e.getMessage());
            assertThrows(java.sql.SQLException.class,
                    () -> java.sql.DriverManager.getConnection(pg.jdbcUrl(), pg.username(), "wrong").close());
            try (Connection c = pg.connect(); Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("select rolsuper from pg_roles where rolname = current_user")) {
                assertTrue(r.next());
                assertFalse(r.getBoolean(1), "the services' role is no superuser");
            }
        }
    }

    @Test
    void rejectsABadDatabaseName() {
        assertThrows(IllegalArgumentException.class, () -> new EmbeddedPostgres(0, "Robert'); drop"));
        assertThrows(IllegalArgumentException.class, () -> new EmbeddedPostgres(70000, "ham"));
    }
}
