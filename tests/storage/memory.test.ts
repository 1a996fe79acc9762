import { createMemoryStorage } from "../../bot/storage/memory";
import { StorageError } from "../../bot/storage/port";
import { describeStorageContract, FakeClock } from "./contract";

describeStorageContract("in-memory twin", async () => {
  const clock = new FakeClock();
  const storage = createMemoryStorage({ clock });
  return {
    storage,
    clock,
    breakBackend: async () => storage.simulateOutage(new Error("network down")),
    teardown: async () => {},
  };
});

describe("in-memory twin outage switch", () => {
  it("fails every call with StorageError during a simulated outage and recovers after it", async () => {
    // Prepare
    const storage = createMemoryStorage();
    await storage.chats.save(1, { recentUpdateIds: [] }, 0);

    // Act
    storage.simulateOutage(new Error("throttled"));
    const during = storage.chats.load(1);
    storage.endOutage();
    const after = await storage.chats.load(1);

    // Assess
    await expect(during).rejects.toThrow(StorageError);
    await expect(during).rejects.toThrow(/chats\.load: throttled/);
    expect(after?.version).toBe(1);
  });

  it("uses the system clock when none is given", async () => {
    // Prepare
    const storage = createMemoryStorage();
    await storage.users.createIfMissing({
      userId: 1,
      chatId: 1,
      language: "en",
      createdAt: "2020-01-01T00:00:00.000Z",
      updatedAt: "2020-01-01T00:00:00.000Z",
      subscribed: false,
      blocked: false,
    });

    // Act
    const updated = await storage.users.update(1, { language: "vi" });

    // Assess
    expect(Date.now() - Date.parse(updated.updatedAt)).toBeLessThan(5000);
  });
});
