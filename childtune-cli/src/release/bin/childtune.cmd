@echo off
rem ChildTune from a release folder: runs the command-line tool with the jars in ..\lib.
rem Needs Java 17 or newer: %JAVA_HOME%\bin\java when JAVA_HOME is set, else java on the PATH.
rem CHILDTUNE_JAVA_OPTS passes options to the JVM (e.g. -Xmx8g).
setlocal
set "CHILDTUNE_RELEASE=%~dp0.."
set "JAVA_EXE=java"
if defined JAVA_HOME set "JAVA_EXE=%JAVA_HOME%\bin\java.exe"
"%JAVA_EXE%" %CHILDTUNE_JAVA_OPTS% -Dai.djl.offline=true -cp "%CHILDTUNE_RELEASE%\lib\*" dev.childtune.cli.ChildTuneCli %*
exit /b %ERRORLEVEL%
