package dev.childtune.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects garbage and refills freed native memory with NaNs: memory an engine tensor still reads
 * after DJL released it (see {@code Scalars}) then turns into NaN gradients instead of passing by luck.
 */
public final class NativeMemoryPressure {
    private NativeMemoryPressure() {}

    public static void collectAndPoison() throws InterruptedException {
        for (int round = 0; round < 3; round++) {
            System.gc();
            Thread.sleep(20);
            List<ByteBuffer> garbage = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(4 << (i % 6)).order(ByteOrder.nativeOrder());
                while (b.remaining() >= 4) {
                    b.putFloat(Float.NaN);
                }
                garbage.add(b);
            }
        }
    }
}
