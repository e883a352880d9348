package dev.childtune.cli;

import ai.djl.Device;
import dev.childtune.model.Devices;
import picocli.CommandLine.Option;

/** The {@code --device} option of the commands that run a model. */
final class DeviceOption {
    @Option(names = "--device", defaultValue = "auto", paramLabel = "DEVICE",
            description = "cpu, gpu, gpu:N, or auto: the first GPU when the engine's PyTorch library has CUDA and "
                    + "sees one, else cpu.")
    String device;

    Device resolve() {
        return Devices.parse(device);
    }
}
